package dev.streamtree.streaming.realtime;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.progress.StreamingStatus;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.util.SerializableConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The streaming job in real-time mode: two queries on the same events topic. The scoring query is a Spark real-time
 * query ({@link Trigger#RealTime}, output mode update, Kafka source and sink, stateless operators): each task reads one
 * Kafka partition for a whole checkpoint interval and sends every record's prediction or dead letter as it arrives
 * ({@link RealTimePass}), scored by the version its executor's {@link ModelWatcher} serves. The lake query is the
 * micro-batch query of {@link StreamingJob#startLake}, with its own checkpoint ({@code --checkpoint}), writing the
 * lake exactly once and sending nothing; beside it, {@code startLake} runs a micro-batch query that lands the real-time
 * predictions from the predictions topic in the predictions table.
 *
 * <p>Cores: the scoring query holds one task slot per Kafka partition of the events topic for as long as it runs
 * (Spark starts a real-time batch only when it has that many free slots); the lake query's micro-batches use the rest.
 * A cluster in real-time mode needs (events partitions + at least one) task slots.
 *
 * <p>Replays: a failure of the scoring query replays up to one checkpoint interval of records from its checkpoint;
 * their predictions are sent again (at-least-once), maybe by a newer version, with the replayed batch's id. Consumers
 * de-duplicate on the event id (see docs/streaming.md). The lake keeps its exactly-once commits.
 *
 * <p>Failures: {@link #start} throws as {@link StreamingJob#start} does, and {@link IllegalStateException} when the
 * scoring query cannot start; when either query fails, {@link #awaitTermination()} stops the other and throws.
 */
public final class RealTimeJob implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RealTimeJob.class);
    private static final long POLL_MILLIS = 500;
    /** How often the job logs its combined status (the lake query's own line counts no predictions). */
    private static final long STATUS_LOG_SECONDS = 5;
    /**
     * The G1 pause goal real-time mode wants: with the default 200 ms, young collections of 30-60 ms set the scoring
     * p99 at 20,000 events/s in {@code bench/run.sh realtime} (115 ms; 31 ms with 20, same slots).
     */
    static final long RECOMMENDED_PAUSE_GOAL_MILLIS = 20;

    private final StreamingConfig config;
    private final RealTimeConfig realTime;
    private final StreamingJob lake;
    private final StreamingQuery scoring;
    private final ModelWatcher models;
    private final ScheduledExecutorService statusLog;

    private RealTimeJob(StreamingConfig config, RealTimeConfig realTime, StreamingJob lake, StreamingQuery scoring,
                        ModelWatcher models) {
        this.config = config;
        this.realTime = realTime;
        this.lake = lake;
        this.scoring = scoring;
        this.models = models;
        this.statusLog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamtree-realtime-status");
            t.setDaemon(true);
            return t;
        });
        statusLog.scheduleAtFixedRate(() -> LOG.info("{}", status().summary()), STATUS_LOG_SECONDS, STATUS_LOG_SECONDS,
                TimeUnit.SECONDS);
    }

    /** Starts both queries with the lake and registry the configuration names. */
    public static RealTimeJob start(SparkSession spark, StreamingConfig config, RealTimeConfig realTime,
                                    StatusBoard.Observer observer) {
        EventSchema schema = SchemaCodec.load(config.schemaLocation());
        StreamingJob lake = StreamingJob.startLake(spark, config, observer);
        try {
            ModelWatcher models = ModelWatcher.of(config.registry(), schema, spark.sparkContext().hadoopConfiguration(),
                    realTime.watchInterval(), config.explain());
            StreamingQuery scoring = startScoring(spark, config, realTime, schema);
            pauseGoalMillis().filter(millis -> millis > RECOMMENDED_PAUSE_GOAL_MILLIS).ifPresent(millis -> LOG.warn(
                    "real-time scoring: this JVM's G1 pause goal is {} ms; give the driver and executors "
                            + "-XX:MaxGCPauseMillis={} (bin/streamtree does with --real-time): longer young collections "
                            + "set the scoring latency's tail (README \"Real-time scoring\")", millis,
                    RECOMMENDED_PAUSE_GOAL_MILLIS));
            LOG.info("real-time scoring {} -> predictions {}, dead letters {}; checkpoint {} every {}, model watch every {};"
                            + " holds one task slot per events partition", config.topics().events(),
                    config.topics().predictions(), config.topics().deadLetters(), realTime.checkpoint(),
                    realTime.checkpointInterval(), realTime.watchInterval());
            return new RealTimeJob(config, realTime, lake, scoring, models);
        } catch (RuntimeException e) {
            lake.stop();
            ModelWatcher.stop(config.registry());
            throw e;
        }
    }

    /** This JVM's G1 pause goal ({@code -XX:MaxGCPauseMillis}); empty when it cannot be read. */
    static Optional<Long> pauseGoalMillis() {
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return Optional.of(Long.parseLong(vm.getVMOption("MaxGCPauseMillis").getValue()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts the real-time scoring query alone: events topic -> validation and scoring per record -> predictions and
     * dead-letter topics.
     */
    static StreamingQuery startScoring(SparkSession spark, StreamingConfig config, RealTimeConfig realTime,
                                       EventSchema schema) {
        RealTimeCheckpoint.repairUnstarted(realTime.checkpoint(), spark.sparkContext().hadoopConfiguration(),
                java.time.Clock.systemUTC());
        RealTimePass pass = new RealTimePass(new EventValidator(schema), config.registry(),
                new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()), realTime.watchInterval(),
                config.explain(), config.topics().predictions(), config.topics().deadLetters());
        try {
            return KafkaSource.passColumns(spark.readStream().format("kafka")
                    .options(KafkaSource.clientOptions(config.kafka()))
                    .option("subscribe", config.topics().events())
                    .option("startingOffsets", config.startingOffsets())
                    .load())
                    .mapPartitions(pass, Encoders.row(KafkaSink.RECORD_SCHEMA))
                    .writeStream()
                    .queryName(RealTimeOptions.QUERY_NAME)
                    .format("kafka")
                    .options(KafkaSource.clientOptions(config.kafka()))
                    .option("checkpointLocation", realTime.checkpoint())
                    .outputMode(OutputMode.Update())
                    .trigger(Trigger.RealTime(realTime.checkpointInterval().toMillis()))
                    .start();
        } catch (TimeoutException | RuntimeException e) {
            throw new IllegalStateException("cannot start the real-time scoring query: " + e.getMessage(), e);
        }
    }

    /**
     * The lake query's counters (events read, to the lake, refused) with the scoring side's: predictions, unscored
     * events, serving version, swaps and refusals as this JVM sees them. In local mode the executors share this JVM,
     * so they are the job's; on a cluster, predictions and unscored events count only the driver's share (none), and
     * the version is the one the driver's watcher serves (the executors follow the same pointer at the same interval).
     */
    public StreamingStatus status() {
        StreamingStatus lakeStatus = lake.status();
        ModelWatcher.Counts counts = models.counts();
        String state = scoring.isActive() ? lakeStatus.state() + " (real-time scoring)" : lakeStatus.state()
                + " (real-time scoring stopped)";
        return new StreamingStatus(state, lakeStatus.batches(), lakeStatus.lastBatchId(), lakeStatus.eventsRead(),
                lakeStatus.eventsToLake(), lakeStatus.deadLetters(), counts.predictions(), counts.unscored(),
                models.serving().map(s -> s.version().toString()).orElse(null), models.swaps(), models.refusals(),
                lakeStatus.inputRowsPerSecond(), lakeStatus.processedRowsPerSecond(), lakeStatus.lastBatchMillis(),
                lakeStatus.consumerLag(), lakeStatus.updatedAt(), lakeStatus.labelsToLake(), lakeStatus.labelDeadLetters());
    }

    /** This JVM's watcher of the job's registry: in local mode, the one the scoring tasks read. */
    ModelWatcher watcher() {
        return models;
    }

    /** The real-time scoring query. */
    public StreamingQuery scoringQuery() {
        return scoring;
    }

    /** The lake's micro-batch job. */
    public StreamingJob lakeJob() {
        return lake;
    }

    /** The settings this job runs with. */
    public RealTimeConfig realTimeConfig() {
        return realTime;
    }

    /**
     * Blocks until either query ends; then stops the other. Returns after {@link #stop()}.
     *
     * @throws StreamingQueryException when the scoring query failed
     * @throws IllegalStateException   when the lake query failed
     */
    public void awaitTermination() throws StreamingQueryException {
        try {
            while (scoring.isActive() && lake.query().isActive()) {
                scoring.awaitTermination(POLL_MILLIS);
            }
            if (scoring.exception().isDefined()) {
                throw scoring.exception().get();
            }
            lake.awaitTermination();
        } finally {
            stop();
        }
    }

    /** Stops the scoring query, then the lake query, and this JVM's model watchers of the registry. */
    public void stop() {
        statusLog.shutdownNow();
        try {
            scoring.stop();
        } catch (TimeoutException e) {
            LOG.warn("real-time scoring query did not stop in time: {}", e.getMessage());
        } finally {
            lake.stop();
            ModelWatcher.stop(config.registry());
        }
    }

    @Override
    public void close() {
        stop();
    }
}
