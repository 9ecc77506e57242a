package dev.streamtree.streaming;

import dev.streamtree.lake.catalog.GlueEventCatalog;
import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.catalog.LocalSparkCatalog;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.progress.ProgressListener;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.progress.StreamingStatus;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.SparkModelLoader;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import scala.Option;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * The running streaming job: one Structured Streaming query from the events topic through
 * {@link MicroBatchProcessor}. Start it with {@link #start}, watch it with {@link #status()}, end it with
 * {@link #stop()}; the launcher runs it in-process, {@link StreamingJobMain} under {@code spark-submit}.
 *
 * <p>Lifecycle failures: {@link #start} throws {@link IllegalArgumentException} for a bad schema, lake or
 * catalog setting and {@link dev.streamtree.common.catalog.CatalogException} when the table cannot be
 * registered; once running, a failing sink stops the query and {@link #awaitTermination()} throws.
 */
public final class StreamingJob implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    private static final int MAX_RESTARTS = 3;
    private static final Duration MIN_PREFETCH = Duration.ofMillis(100);
    private static final Duration MAX_PREFETCH = Duration.ofSeconds(1);

    private final SparkSession spark;
    private final StreamingConfig config;
    private final MicroBatchProcessor processor;
    private final ProgressListener listener;
    private final Supervisor supervisor = new Supervisor();
    private final ExecutorService restarts = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "streamtree-streaming-restart");
        thread.setDaemon(true);
        return thread;
    });
    private final StatusBoard board;
    private final EventCatalog catalog;
    private final ModelTracker<TreeScorer> models;
    private volatile StreamingQuery query;
    private volatile boolean stopping;
    private volatile int restartCount;

    private StreamingJob(SparkSession spark, StreamingConfig config, MicroBatchProcessor processor,
                         ProgressListener listener, StatusBoard board, EventCatalog catalog,
                         ModelTracker<TreeScorer> models) {
        this.spark = spark;
        this.models = models;
        this.config = config;
        this.processor = processor;
        this.listener = listener;
        this.board = board;
        this.catalog = catalog;
    }

    /** Starts the job with the catalog and registry the configuration names. */
    public static StreamingJob start(SparkSession spark, StreamingConfig config) {
        EventCatalog catalog = config.catalog() == CatalogKind.GLUE
                ? GlueEventCatalog.create(config.glueRegion(), config.database(), config.table())
                : new LocalSparkCatalog(spark, config.database(), config.table());
        ModelRegistry registry = FileSystemModelRegistry.open(config.registry(), spark.sparkContext().hadoopConfiguration());
        return start(spark, config, catalog, registry);
    }

    /** Starts the job with the given catalog and registry. */
    public static StreamingJob start(SparkSession spark, StreamingConfig config, EventCatalog catalog,
                                     ModelRegistry registry) {
        EventSchema schema = SchemaCodec.load(config.schemaLocation());
        Clock clock = Clock.systemUTC();
        String location = LakeBatchWriter.qualifiedLocation(config.lake(), spark.sparkContext().hadoopConfiguration());
        catalog.ensureTable(schema, location);
        StatusBoard board = new StatusBoard(clock);
        ModelTracker<TreeScorer> models = new ModelTracker<>(registry, schema, new SparkModelLoader(schema,
                spark.sparkContext().hadoopConfiguration()))
                .prefetchEvery(prefetchInterval(config.triggerInterval()));
        MicroBatchProcessor processor = new MicroBatchProcessor(config, new EventValidator(schema), catalog, models,
                board, clock);
        ProgressListener listener = new ProgressListener(StreamingOptions.QUERY_NAME, board, LOG_INTERVAL, clock);
        StreamingJob job = new StreamingJob(spark, config, processor, listener, board, catalog, models);
        spark.streams().addListener(listener);
        spark.streams().addListener(job.supervisor);
        try {
            job.query = job.startQuery();
        } catch (RuntimeException e) {
            spark.streams().removeListener(listener);
            spark.streams().removeListener(job.supervisor);
            job.restarts.shutdownNow();
            models.close();
            throw e;
        }
        LOG.info("streaming {} -> lake {} (table {}), predictions {}, dead letters {}; checkpoint {}, trigger {}",
                config.topics().events(), location, catalog.tableName(), config.topics().predictions(),
                config.topics().deadLetters(), config.checkpoint(), config.triggerInterval());
        return job;
    }

    /**
     * How often the registry's pointer is watched between batches: a quarter of the trigger interval, so a promoted
     * version is usually loaded before the next batch starts, within 100 ms..1 s (one small read each time, also
     * on S3).
     */
    static Duration prefetchInterval(Duration trigger) {
        Duration quarter = trigger.dividedBy(4);
        return quarter.compareTo(MIN_PREFETCH) < 0 ? MIN_PREFETCH : quarter.compareTo(MAX_PREFETCH) > 0 ? MAX_PREFETCH : quarter;
    }

    private StreamingQuery startQuery() {
        try {
            return KafkaSource.events(spark, config)
                    .writeStream()
                    .queryName(StreamingOptions.QUERY_NAME)
                    .option("checkpointLocation", config.checkpoint())
                    .trigger(Trigger.ProcessingTime(config.triggerInterval().toMillis()))
                    .foreachBatch(processor)
                    .start();
        } catch (TimeoutException | RuntimeException e) {
            throw new IllegalStateException("cannot start the streaming query: " + e.getMessage(), e);
        }
    }

    /**
     * Spark 4.1.0/4.1.1 fail a query that resumes from a checkpoint with an unfinished batch: after the replayed
     * batch succeeds, progress reporting throws a NullPointerException in {@code KafkaMicroBatchStream.metrics}
     * (SPARK-55271). The batch itself is done and committed by then, so starting the query again is safe; this
     * restarts it, at most {@value #MAX_RESTARTS} times. Every other failure stays fatal.
     */
    private final class Supervisor extends StreamingQueryListener {

        @Override
        public void onQueryStarted(QueryStartedEvent event) {
        }

        @Override
        public void onQueryProgress(QueryProgressEvent event) {
        }

        @Override
        public void onQueryTerminated(QueryTerminatedEvent event) {
            StreamingQuery current = query;
            if (stopping || current == null || !event.runId().equals(current.runId()) || event.exception().isEmpty()) {
                return;
            }
            Option<StreamingQueryException> failure = current.exception();
            if (failure.isEmpty() || !isKafkaMetricsReplayBug(failure.get()) || restartCount >= MAX_RESTARTS) {
                return;
            }
            restartCount++;
            LOG.warn("streaming query hit Spark's Kafka metrics bug after replaying a batch (SPARK-55271); "
                    + "restarting it from the checkpoint (restart {} of at most {})", restartCount, MAX_RESTARTS);
            restarts.submit(() -> {
                if (!stopping) {
                    query = startQuery();
                }
            });
        }
    }

    static boolean isKafkaMetricsReplayBug(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof NullPointerException && t.getStackTrace().length > 0
                    && t.getStackTrace()[0].getClassName().startsWith("org.apache.spark.sql.kafka010.KafkaMicroBatchStream")
                    && t.getStackTrace()[0].getMethodName().equals("metrics")) {
                return true;
            }
        }
        return false;
    }

    /** An immutable snapshot of the job's counters. */
    public StreamingStatus status() {
        return board.snapshot();
    }

    /** The running query (a new one after an automatic restart, see {@link Supervisor}). */
    public StreamingQuery query() {
        return query;
    }

    /** The catalog table the job writes, e.g. {@code streamtree.events}. */
    public String tableName() {
        return catalog.tableName();
    }

    /**
     * Blocks until the query ends.
     *
     * @throws StreamingQueryException when it ended because of a failure
     */
    public void awaitTermination() throws StreamingQueryException {
        while (true) {
            StreamingQuery current = query;
            StreamingQueryException failure = null;
            try {
                current.awaitTermination();
            } catch (StreamingQueryException e) {
                failure = e;
            }
            if (stopping) {
                return;
            }
            if (failure != null && !isKafkaMetricsReplayBug(failure)) {
                throw failure;
            }
            // The supervisor may be replacing the query; follow the new one, or end as the old one did.
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (query == current && failure != null && restartCount <= MAX_RESTARTS && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            if (query == current) {
                if (failure != null) {
                    throw failure;
                }
                return;
            }
        }
    }

    /** Stops the query (the running micro-batch is interrupted; the next start replays it) and detaches the listener. */
    public void stop() {
        stopping = true;
        restarts.shutdownNow();
        try {
            query.stop();
        } catch (TimeoutException e) {
            LOG.warn("streaming query did not stop in time: {}", e.getMessage());
        } finally {
            spark.streams().removeListener(listener);
            spark.streams().removeListener(supervisor);
            board.state("stopped");
            models.close();
            if (catalog instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("closing catalog {} failed: {}", catalog.tableName(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
