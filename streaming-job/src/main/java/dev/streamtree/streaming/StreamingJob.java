package dev.streamtree.streaming;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.lake.table.LabelsTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.PredictionsTable;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.progress.ProgressListener;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.progress.StreamingStatus;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.RecordSender;
import dev.streamtree.streaming.sink.TaskProducers;
import dev.streamtree.streaming.score.BatchVersions;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.SparkModelLoader;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The running streaming job: one Structured Streaming query from the events topic through
 * {@link MicroBatchProcessor} and, when the schema has a label, a second one from the labels topic through a
 * {@link LandingProcessor} into the labels table {@code <database>.labels} (its own checkpoint,
 * {@code <checkpoint>/labels}); in real-time mode ({@link #startLake}), a third one lands the real-time predictions
 * from the predictions topic in the predictions table ({@code <checkpoint>/predictions}). Start it with {@link #start}, watch it with {@link #status()}, end it with
 * {@link #stop()}; the launcher runs it in-process, {@link StreamingJobMain} under {@code spark-submit}.
 *
 * <p>The lake is the Iceberg table {@code <database>.<table>} of {@link LakeTables} (created if absent); the job makes
 * the session's {@code spark_catalog} the lake's, so {@code spark.table(job.tableName())} reads it. Batches land
 * through the journal and are committed every {@code --lake-commit-interval} and at {@link #stop()}.
 *
 * <p>Lifecycle failures: {@link #start} throws {@link IllegalArgumentException} for a bad schema, lake or
 * catalog setting and {@link dev.streamtree.common.catalog.CatalogException} when the table cannot be
 * created or loaded; once running, a failing sink or lake commit stops the query and {@link #awaitTermination()}
 * throws.
 */
public final class StreamingJob implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamingJob.class);
    private static final Duration LOG_INTERVAL = Duration.ofSeconds(5);

    private static final int MAX_RESTARTS = 3;
    private static final Duration MIN_PREFETCH = Duration.ofMillis(100);
    private static final Duration MAX_PREFETCH = Duration.ofSeconds(1);

    /** A registry with no current version: the lake-only query of real-time mode never loads a model. */
    private static final ModelRegistry NO_MODELS = new ModelRegistry() {
        @Override
        public PendingVersion stage() {
            throw new UnsupportedOperationException("the lake query has no registry");
        }

        @Override
        public List<VersionId> versions() {
            return List.of();
        }

        @Override
        public ModelMetadata metadata(VersionId version) {
            throw new IllegalArgumentException("the lake query has no registry, so no version " + version);
        }

        @Override
        public String modelLocation(VersionId version) {
            throw new IllegalArgumentException("the lake query has no registry, so no version " + version);
        }

        @Override
        public Optional<VersionId> current() {
            return Optional.empty();
        }

        @Override
        public void promote(VersionId version, String reason) {
            throw new UnsupportedOperationException("the lake query has no registry");
        }

        @Override
        public VersionId rollback(String reason) {
            throw new UnsupportedOperationException("the lake query has no registry");
        }

        @Override
        public List<Promotion> history() {
            return List.of();
        }
    };

    private final SparkSession spark;
    private final StreamingConfig config;
    private final MicroBatchProcessor processor;
    private final ProgressListener listener;
    private final QuerySupervisor supervisor;
    private final StatusBoard board;
    private final Catalog catalog;
    private final String tableName;
    private final ModelTracker<TreeScorer> models;
    /** The queries that land a topic in a table of their own (labels; real-time predictions), each supervised. */
    private final List<Landing> landings;
    /** Names this job's Kafka producers in the tasks of this JVM ({@link TaskProducers}), closed when it stops. */
    private final String producersOwner;

    /**
     * A query from one topic into one lake table.
     *
     * @param source a new streaming read of the topic, per start
     */
    private record LandingSpec(String queryName, String checkpoint, Supplier<Dataset<Row>> source,
                               LandingProcessor processor) {
    }

    private record Landing(LandingSpec spec, QuerySupervisor supervisor) {
    }

    private StreamingJob(SparkSession spark, StreamingConfig config, MicroBatchProcessor processor,
                         ProgressListener listener, StatusBoard board, Catalog catalog, String tableName,
                         ModelTracker<TreeScorer> models, List<LandingSpec> landings, String producersOwner) {
        this.spark = spark;
        this.producersOwner = producersOwner;
        this.landings = landings.stream().map(spec -> new Landing(spec, new QuerySupervisor(() -> startLanding(spec),
                StreamingJob::isKafkaMetricsReplayBug, MAX_RESTARTS))).toList();
        this.models = models;
        this.config = config;
        this.processor = processor;
        this.listener = listener;
        this.board = board;
        this.catalog = catalog;
        this.tableName = tableName;
        this.supervisor = new QuerySupervisor(this::startQuery, StreamingJob::isKafkaMetricsReplayBug, MAX_RESTARTS);
    }

    /** Starts the job with the lake and registry the configuration names. */
    public static StreamingJob start(SparkSession spark, StreamingConfig config) {
        return start(spark, config, StatusBoard.Observer.NONE);
    }

    /**
     * Starts the job with the lake and registry the configuration names, passing every update of its counters
     * to {@code observer} (the job's metrics).
     */
    public static StreamingJob start(SparkSession spark, StreamingConfig config, StatusBoard.Observer observer) {
        ModelRegistry registry = FileSystemModelRegistry.open(config.registry(), spark.sparkContext().hadoopConfiguration());
        return start(spark, config, registry, observer);
    }

    /** Starts the job with the given registry. */
    public static StreamingJob start(SparkSession spark, StreamingConfig config, ModelRegistry registry) {
        return start(spark, config, registry, StatusBoard.Observer.NONE);
    }

    /** Starts the job with the given registry, passing every update of its counters to {@code observer}. */
    public static StreamingJob start(SparkSession spark, StreamingConfig config, ModelRegistry registry,
                                     StatusBoard.Observer observer) {
        return start(spark, config, registry, observer, true);
    }

    /**
     * Starts the lake half of real-time mode ({@link dev.streamtree.streaming.realtime.RealTimeJob}): the same
     * micro-batch query, checkpoint and lake commits, but no model and nothing sent to Kafka, since the real-time
     * scoring query sends every prediction and dead letter. Its status counts events read, events to the lake and
     * refused records; predictions and unscored events stay 0 (they are the real-time query's), and its progress line
     * says so ({@link StreamingStatus#lakeSummary()}).
     *
     * <p>Beside it, a micro-batch query reads the predictions topic and lands the real-time predictions (those with the
     * {@link dev.streamtree.streaming.sink.PredictionHeaders} mark) in the predictions table, exactly once per record
     * ({@code <checkpoint>/predictions}). With a new checkpoint it starts at the records published from
     * {@value #LANDING_START_MARGIN_SECONDS} s before now: the predictions of this deployment, not those of an earlier
     * one.
     */
    public static StreamingJob startLake(SparkSession spark, StreamingConfig config, StatusBoard.Observer observer) {
        return start(spark, config, NO_MODELS, observer, false);
    }

    /** How far before its first start the predictions landing query begins reading (clock skew between machines). */
    static final long LANDING_START_MARGIN_SECONDS = 60;

    private static StreamingJob start(SparkSession spark, StreamingConfig config, ModelRegistry registry,
                                      StatusBoard.Observer observer, boolean scores) {
        EventSchema schema = SchemaCodec.load(config.schemaLocation());
        Clock clock = Clock.systemUTC();
        String producersOwner = UUID.randomUUID().toString();
        LakeTables tables = new LakeTables(config.catalog(), config.lake(), config.glueRegion())
                .qualified(spark.sparkContext().hadoopConfiguration());
        try {
            tables.configure(spark);
        } catch (IllegalStateException e) {
            LOG.warn("this session's SQL names do not reach the lake's tables ({}); the job writes the lake all the same",
                    e.getMessage());
        }
        Catalog catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        TableIdentifier identifier = LakeTables.identifier(config.database(), config.table());
        Table table = tables.ensureEventsTable(catalog, identifier, schema);
        String location = table.location();
        spark.conf().set(StreamingOptions.SPARK_STREAMING_METRICS, "true");
        StatusBoard board = new StatusBoard(clock, observer);
        BatchVersions batchVersions = BatchVersions.open(config.checkpoint(), spark.sparkContext().hadoopConfiguration());
        ModelTracker<TreeScorer> models = new ModelTracker<>(registry, schema, new SparkModelLoader(schema,
                spark.sparkContext().hadoopConfiguration()))
                .prefetchEvery(prefetchInterval(config.triggerInterval()));
        MicroBatchProcessor processor = new MicroBatchProcessor(config, new EventValidator(schema),
                new MicroBatchProcessor.Lake(tables, identifier, table, config.lakeCommitInterval()), models,
                batchVersions, scores ? KafkaSink.sender(producersOwner, config.kafka()) : RecordSender.DISCARD, board,
                clock);
        if (!scores) {
            processor.lakeOnly();
        }
        TableIdentifier predictionsId = PredictionsTable.identifier(config.database());
        MicroBatchProcessor.Lake predictionsLake = new MicroBatchProcessor.Lake(tables, predictionsId,
                PredictionsTable.ensure(tables, catalog, predictionsId), config.lakeCommitInterval());
        if (scores) {
            processor.keepPredictionsIn(predictionsLake);
        }
        List<LandingSpec> landings = new ArrayList<>();
        schema.labelSpec().ifPresent(classes -> {
            TableIdentifier labelsId = LabelsTable.identifier(config.database());
            String deadLetters = config.topics().deadLetters();
            landings.add(new LandingSpec(StreamingOptions.LABELS_QUERY_NAME, under(config.checkpoint(),
                    StreamingOptions.LABELS_CHECKPOINT), () -> KafkaSource.labels(spark, config),
                    new LandingProcessor("labels", LabelPass.SOURCE_COLUMNS,
                            (counts, target, files, time) -> new LabelPass(classes, counts, target, files, deadLetters, time),
                            new MicroBatchProcessor.Lake(tables, labelsId, LabelsTable.ensure(tables, catalog, labelsId),
                                    config.lakeCommitInterval()), KafkaSink.to(config.kafka()), board::labelBatchDone,
                            clock)));
        });
        if (!scores) {
            String deadLetters = config.topics().deadLetters();
            long from = clock.millis() - LANDING_START_MARGIN_SECONDS * 1000;
            landings.add(new LandingSpec(StreamingOptions.PREDICTIONS_QUERY_NAME, under(config.checkpoint(),
                    StreamingOptions.PREDICTIONS_CHECKPOINT), () -> KafkaSource.predictions(spark, config, from),
                    new LandingProcessor("predictions", PredictionLandingPass.SOURCE_COLUMNS,
                            (counts, target, files, time) -> new PredictionLandingPass(counts, target, files, deadLetters,
                                    time),
                            predictionsLake, KafkaSink.to(config.kafka()),
                            outcome -> { }, clock)));
        }
        if (StartupWarmUp.applies(spark)) {
            try {
                StartupWarmUp.Outcome warmUp = StartupWarmUp.run(spark, schema, table, config.kafka());
                LOG.info("warmed up the micro-batch pass on synthetic events {} in {} ms (nothing kept)",
                        warmUp.viaKafka() ? "through a scratch topic" : "from memory", warmUp.took().toMillis());
            } catch (RuntimeException e) {
                LOG.warn("warming up the micro-batch pass failed ({}); the first batch runs cold", e.toString());
            }
        }
        ProgressListener listener = new ProgressListener(StreamingOptions.QUERY_NAME, board, LOG_INTERVAL, clock,
                scores ? StreamingStatus::summary : StreamingStatus::lakeSummary);
        StreamingJob job = new StreamingJob(spark, config, processor, listener, board, catalog,
                LakeTables.sqlName(identifier), models, landings, producersOwner);
        spark.streams().addListener(listener);
        try {
            job.supervisor.start();
            for (Landing landing : job.landings) {
                landing.supervisor().start();
            }
        } catch (RuntimeException e) {
            try {
                job.supervisor.stop();
            } catch (TimeoutException | RuntimeException stopFailure) {
                e.addSuppressed(stopFailure);
            }
            spark.streams().removeListener(listener);
            models.close();
            TaskProducers.close(producersOwner);
            throw e;
        }
        LOG.info("streaming {} -> lake {} (Iceberg table {}, commits every {}), predictions {}, dead letters {}; "
                        + "checkpoint {}, trigger {}", config.topics().events(), location, job.tableName(),
                config.lakeCommitInterval(), config.topics().predictions(), config.topics().deadLetters(),
                config.checkpoint(), config.triggerInterval());
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

    /** Checkpoint of the labels query: {@value StreamingOptions#LABELS_CHECKPOINT} under the events query's. */
    static String labelsCheckpoint(String checkpoint) {
        return under(checkpoint, StreamingOptions.LABELS_CHECKPOINT);
    }

    private static String under(String checkpoint, String child) {
        return checkpoint.endsWith("/") ? checkpoint + child : checkpoint + "/" + child;
    }

    private StreamingQuery startLanding(LandingSpec spec) {
        try {
            return spec.source().get()
                    .writeStream()
                    .queryName(spec.queryName())
                    .option("checkpointLocation", spec.checkpoint())
                    .trigger(Trigger.ProcessingTime(config.triggerInterval().toMillis()))
                    .foreachBatch(spec.processor())
                    .start();
        } catch (TimeoutException | RuntimeException e) {
            throw new IllegalStateException("cannot start the " + spec.queryName() + " query: " + e.getMessage(), e);
        }
    }

    /**
     * Spark 4.1.0/4.1.1 fail a query that resumes from a checkpoint with an unfinished batch: after the replayed
     * batch succeeds, progress reporting throws a NullPointerException in {@code KafkaMicroBatchStream.metrics}
     * (<a href="https://issues.apache.org/jira/browse/SPARK-55271">SPARK-55271</a>). The batch itself is done and
     * committed by then, so starting the query again is safe: {@link QuerySupervisor} does, at most
     * {@value #MAX_RESTARTS} times. Every other failure stays fatal.
     */
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

    /** The running query (a new one after an automatic restart, see {@link #isKafkaMetricsReplayBug}). */
    public StreamingQuery query() {
        return supervisor.query();
    }

    /** The running labels query, or null when the schema has no label (no labels query). */
    public StreamingQuery labelsQuery() {
        return landingQuery(StreamingOptions.LABELS_QUERY_NAME);
    }

    /** Real-time mode's running predictions landing query, or null in micro-batch mode (its batches land them). */
    public StreamingQuery predictionsLandingQuery() {
        return landingQuery(StreamingOptions.PREDICTIONS_QUERY_NAME);
    }

    private StreamingQuery landingQuery(String name) {
        return landings.stream().filter(l -> l.spec().queryName().equals(name)).findFirst()
                .map(l -> l.supervisor().query()).orElse(null);
    }

    /** The predictions table, as SQL names it, e.g. {@code streamtree.predictions}. */
    public String predictionsTableName() {
        return LakeTables.sqlName(PredictionsTable.identifier(config.database()));
    }

    /** The labels table the labels query writes, as SQL names it, e.g. {@code streamtree.labels}. */
    public String labelsTableName() {
        return LakeTables.sqlName(LabelsTable.identifier(config.database()));
    }

    /** The lake table the job writes, as SQL names it, e.g. {@code streamtree.events}. */
    public String tableName() {
        return tableName;
    }

    /**
     * Commits the lake batches journaled so far now, rather than at the next commit interval, so that readers see
     * every batch that has completed.
     *
     * @throws RuntimeException when the commit fails (the committer retries at its next interval)
     */
    public void commitLake() {
        processor.commitLake();
        for (Landing landing : landings) {
            landing.spec().processor().commitLake();
        }
    }

    /**
     * Blocks until the query ends: returns after {@link #stop()}, throws as soon as a failure ends it (after the
     * bounded restarts of {@link #isKafkaMetricsReplayBug}, or at once when such a restart itself fails).
     *
     * @throws StreamingQueryException when it ended because of a query failure
     * @throws IllegalStateException   when restarting the query after SPARK-55271 failed
     */
    public void awaitTermination() throws StreamingQueryException {
        if (!landings.isEmpty()) {
            CompletableFuture<?>[] endings = new CompletableFuture<?>[landings.size() + 1];
            endings[0] = supervisor.ending();
            for (int i = 0; i < landings.size(); i++) {
                endings[i + 1] = landings.get(i).supervisor().ending();
            }
            CompletableFuture.anyOf(endings).handle((r, e) -> r).join();
            for (Landing landing : landings) {
                if (landing.supervisor().ending().isCompletedExceptionally()) {
                    landing.supervisor().awaitTermination();
                }
            }
        }
        supervisor.awaitTermination();
    }

    /**
     * Stops the query (the running micro-batch is interrupted; the next start replays it), commits the lake batches
     * journaled so far and detaches the listener.
     */
    public void stop() {
        try {
            supervisor.stop();
        } catch (TimeoutException e) {
            LOG.warn("streaming query did not stop in time: {}", e.getMessage());
        } finally {
            for (Landing landing : landings) {
                try {
                    landing.supervisor().stop();
                } catch (TimeoutException e) {
                    LOG.warn("{} query did not stop in time: {}", landing.spec().queryName(), e.getMessage());
                }
            }
            try {
                processor.closeLake();
                for (Landing landing : landings) {
                    landing.spec().processor().closeLake();
                }
            } catch (RuntimeException e) {
                LOG.warn("the lake's last commit failed (the journal keeps the batches; the next start commits them): {}",
                        e.getMessage());
            }
            spark.streams().removeListener(listener);
            board.state("stopped");
            models.close();
            TaskProducers.close(producersOwner);
            if (catalog instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.warn("closing the lake's catalog failed: {}", e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        stop();
    }
}
