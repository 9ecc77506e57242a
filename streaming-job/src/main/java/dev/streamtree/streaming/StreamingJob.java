package dev.streamtree.streaming;

import dev.streamtree.aws.glue.GlueEventCatalog;
import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.catalog.LocalSparkCatalog;
import dev.streamtree.lake.registry.FileSystemModelRegistry;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.streaming.config.CatalogKind;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.progress.ProgressListener;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.progress.StreamingStatus;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.SparkModelLoader;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
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

    private final SparkSession spark;
    private final StreamingQuery query;
    private final ProgressListener listener;
    private final StatusBoard board;
    private final EventCatalog catalog;

    private StreamingJob(SparkSession spark, StreamingQuery query, ProgressListener listener, StatusBoard board,
                         EventCatalog catalog) {
        this.spark = spark;
        this.query = query;
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
        MicroBatchProcessor processor = new MicroBatchProcessor(config, new EventValidator(schema), catalog,
                new ModelTracker<>(registry, schema, new SparkModelLoader(schema)), board, clock);
        ProgressListener listener = new ProgressListener(StreamingOptions.QUERY_NAME, board, LOG_INTERVAL, clock);
        spark.streams().addListener(listener);
        try {
            StreamingQuery query = KafkaSource.events(spark, config)
                    .writeStream()
                    .queryName(StreamingOptions.QUERY_NAME)
                    .option("checkpointLocation", config.checkpoint())
                    .trigger(Trigger.ProcessingTime(config.triggerInterval().toMillis()))
                    .foreachBatch(processor)
                    .start();
            LOG.info("streaming {} -> lake {} (table {}), predictions {}, dead letters {}; checkpoint {}, trigger {}",
                    config.topics().events(), location, catalog.tableName(), config.topics().predictions(),
                    config.topics().deadLetters(), config.checkpoint(), config.triggerInterval());
            return new StreamingJob(spark, query, listener, board, catalog);
        } catch (TimeoutException | RuntimeException e) {
            spark.streams().removeListener(listener);
            throw new IllegalStateException("cannot start the streaming query: " + e.getMessage(), e);
        }
    }

    /** An immutable snapshot of the job's counters. */
    public StreamingStatus status() {
        return board.snapshot();
    }

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
        query.awaitTermination();
    }

    /** Stops the query (the running micro-batch is interrupted; the next start replays it) and detaches the listener. */
    public void stop() {
        try {
            query.stop();
        } catch (TimeoutException e) {
            LOG.warn("streaming query did not stop in time: {}", e.getMessage());
        } finally {
            spark.streams().removeListener(listener);
            board.state("stopped");
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
