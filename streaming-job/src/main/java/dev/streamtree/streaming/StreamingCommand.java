package dev.streamtree.streaming;

import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.config.MetricsOptions;
import dev.streamtree.model.fs.LocalFileSystems;
import dev.streamtree.streaming.metrics.StreamingMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.realtime.RealTimeConfig;
import dev.streamtree.streaming.realtime.RealTimeJob;
import dev.streamtree.streaming.realtime.RealTimeOptions;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;

import static dev.streamtree.streaming.config.StreamingOptions.*;

/**
 * The streaming job's command line: the flags both jobs share ({@link JobOptions}) and the streaming ones
 * ({@link StreamingOptions}); {@link #toConfig()} is all the parsing, {@link #call()} runs the job.
 */
@Command(name = "streaming", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Kafka events -> validated Iceberg lake table + live predictions with model hot-swap; "
                + "refused records -> dead-letter topic.")
public final class StreamingCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Mixin
    MetricsOptions metrics;

    @Option(names = CHECKPOINT, defaultValue = DEFAULT_CHECKPOINT, description = "Streaming checkpoint location (default: ${DEFAULT-VALUE}).")
    String checkpoint;

    @Option(names = TRIGGER_INTERVAL, defaultValue = DEFAULT_TRIGGER_INTERVAL, paramLabel = "DURATION",
            description = "Micro-batch interval: 500ms, 2s, 1m (default: ${DEFAULT-VALUE}).")
    String triggerInterval;

    @Option(names = MAX_OFFSETS_PER_TRIGGER, defaultValue = "0", paramLabel = "N",
            description = "Cap on records per micro-batch; 0 = no cap (default: ${DEFAULT-VALUE}).")
    long maxOffsetsPerTrigger;

    @Option(names = STARTING_OFFSETS, defaultValue = DEFAULT_STARTING_OFFSETS,
            description = "earliest, latest or Spark offset JSON; used only with a new checkpoint (default: ${DEFAULT-VALUE}).")
    String startingOffsets;

    @Option(names = EXPLAIN, description = "Add the tree's decision path to every prediction.")
    boolean explain;

    @Option(names = RealTimeOptions.REAL_TIME, description = "Score with a Spark real-time query (milliseconds per "
            + "event; holds one task slot per events partition); the lake stays a micro-batch query beside it.")
    boolean realTime;

    @Option(names = RealTimeOptions.CHECKPOINT_INTERVAL, defaultValue = RealTimeOptions.DEFAULT_CHECKPOINT_INTERVAL,
            paramLabel = "DURATION", description = "Real-time mode: how long a real-time batch runs; a failure "
            + "replays up to this much (default: ${DEFAULT-VALUE}).")
    String realTimeCheckpointInterval;

    @Option(names = RealTimeOptions.MODEL_WATCH_INTERVAL, defaultValue = RealTimeOptions.DEFAULT_MODEL_WATCH_INTERVAL,
            paramLabel = "DURATION", description = "Real-time mode: how often each executor reads the registry "
            + "pointer (default: ${DEFAULT-VALUE}).")
    String modelWatchInterval;

    @Option(names = RealTimeOptions.CHECKPOINT, description = "Real-time mode: the scoring query's checkpoint "
            + "(default: the --checkpoint location + " + RealTimeOptions.CHECKPOINT_SUFFIX + ").")
    String realTimeCheckpoint;

    @Option(names = LAKE_COMMIT_INTERVAL, defaultValue = DEFAULT_LAKE_COMMIT_INTERVAL, paramLabel = "DURATION",
            description = "How often journaled micro-batches are committed to the Iceberg lake table, the most lake "
                    + "readers lag (default: ${DEFAULT-VALUE}).")
    String lakeCommitInterval;

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException naming the bad flag or value
     */
    public StreamingConfig toConfig() {
        if (!job.hasBootstrapServers()) {
            throw new IllegalArgumentException("missing " + JobOptions.BOOTSTRAP_SERVERS);
        }
        StreamingConfig.Builder config = StreamingConfig.builder(job.kafka())
                .topics(job.topics())
                .job(job)
                .checkpoint(checkpoint)
                .trigger(StreamingOptions.parseDuration(triggerInterval, TRIGGER_INTERVAL), maxOffsetsPerTrigger)
                .startingOffsets(startingOffsets)
                .lakeCommitInterval(StreamingOptions.parseDuration(lakeCommitInterval, LAKE_COMMIT_INTERVAL));
        return (explain ? config.decisionPaths() : config).build();
    }

    /**
     * Real-time mode's settings, or empty without {@value RealTimeOptions#REAL_TIME}.
     *
     * @throws IllegalArgumentException naming the bad flag or value
     */
    public Optional<RealTimeConfig> toRealTimeConfig() {
        if (!realTime) {
            return Optional.empty();
        }
        return Optional.of(new RealTimeConfig(
                StreamingOptions.parseDuration(realTimeCheckpointInterval, RealTimeOptions.CHECKPOINT_INTERVAL),
                StreamingOptions.parseDuration(modelWatchInterval, RealTimeOptions.MODEL_WATCH_INTERVAL),
                realTimeCheckpoint != null ? realTimeCheckpoint : RealTimeConfig.beside(checkpoint)));
    }

    @Override
    public Integer call() throws Exception {
        StreamingConfig config = toConfig();
        Optional<RealTimeConfig> realTimeConfig = toRealTimeConfig();
        int metricsPort = metrics.port();
        SparkSession spark = session();
        if (metricsPort == 0) {
            run(spark, config, realTimeConfig, StatusBoard.Observer.NONE);
            return 0;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        StreamingMetrics observer = new StreamingMetrics(registry);
        try (HTTPServer server = StreamingMetrics.serve(registry, metricsPort)) {
            System.out.println("streaming metrics on http://localhost:" + server.getPort() + "/metrics");
            run(spark, config, realTimeConfig, observer);
        }
        return 0;
    }

    private static void run(SparkSession spark, StreamingConfig config, Optional<RealTimeConfig> realTimeConfig,
                            StatusBoard.Observer observer) throws Exception {
        if (realTimeConfig.isPresent()) {
            RealTimeJob job = RealTimeJob.start(spark, config, realTimeConfig.get(), observer);
            Runtime.getRuntime().addShutdownHook(new Thread(job::stop, "streamtree-streaming-shutdown"));
            job.awaitTermination();
            return;
        }
        StreamingJob job = StreamingJob.start(spark, config, observer);
        Runtime.getRuntime().addShutdownHook(new Thread(job::stop, "streamtree-streaming-shutdown"));
        job.awaitTermination();
    }

    /**
     * A session named for the job ({@link StreamingJob#start} makes its {@code spark_catalog} the lake's);
     * {@code local[*]} only when nothing (such as spark-submit) set a master.
     */
    static SparkSession session() {
        SparkSession.Builder builder = SparkSession.builder().appName(QUERY_NAME);
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            builder = builder.master("local[*]");
        }
        LocalFileSystems.useNio(conf.get("spark.master", "local[*]"));
        return builder.getOrCreate();
    }

    /**
     * Runs the command line and returns the exit code: 0 when the query ended cleanly, 2 for bad arguments or
     * configuration (one message, no stack trace), 1 when the job failed.
     */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    static int execute(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new StreamingCommand()).setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                commandLine.getErr().println("streaming: " + e.getMessage());
                return 2;
            }
            commandLine.getErr().println("streaming job failed: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }
}
