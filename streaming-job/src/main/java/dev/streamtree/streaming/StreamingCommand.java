package dev.streamtree.streaming;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.streaming.config.CatalogKind;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import static dev.streamtree.streaming.config.StreamingOptions.*;

/** The streaming job's command line; {@link #toConfig()} is all the parsing, {@link #call()} runs the job. */
@Command(name = "streaming", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Kafka events -> validated, catalogued Parquet lake + live predictions with model hot-swap; "
                + "refused records -> dead-letter topic.")
public final class StreamingCommand implements Callable<Integer> {

    @Option(names = BOOTSTRAP_SERVERS, paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (required).")
    String bootstrapServers;

    @Option(names = KAFKA_PROPERTIES, paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*); ${env:NAME} values are read from the environment.")
    Path kafkaProperties;

    @Option(names = SCHEMA, defaultValue = DEFAULT_SCHEMA, description = "Schema file or builtin:NAME (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = LAKE, defaultValue = DEFAULT_LAKE, description = "Lake table location, a path or URI (default: ${DEFAULT-VALUE}).")
    String lake;

    @Option(names = REGISTRY, defaultValue = DEFAULT_REGISTRY, description = "Model registry location (default: ${DEFAULT-VALUE}).")
    String registry;

    @Option(names = CATALOG, defaultValue = DEFAULT_CATALOG, description = "local or glue (default: ${DEFAULT-VALUE}).")
    String catalog;

    @Option(names = DATABASE, defaultValue = DEFAULT_DATABASE, description = "Catalog database (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = TABLE, defaultValue = DEFAULT_TABLE, description = "Catalog table (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = GLUE_REGION, description = "AWS region of the Glue catalog (required with --catalog glue).")
    String glueRegion;

    @Option(names = EVENTS_TOPIC, defaultValue = Topics.DEFAULT_EVENTS, description = "Default: ${DEFAULT-VALUE}.")
    String eventsTopic;

    @Option(names = PREDICTIONS_TOPIC, defaultValue = Topics.DEFAULT_PREDICTIONS, description = "Default: ${DEFAULT-VALUE}.")
    String predictionsTopic;

    @Option(names = DLQ_TOPIC, defaultValue = Topics.DEFAULT_DEAD_LETTERS, description = "Default: ${DEFAULT-VALUE}.")
    String dlqTopic;

    @Option(names = CONTROL_TOPIC, defaultValue = Topics.DEFAULT_CONTROL, description = "Default: ${DEFAULT-VALUE}.")
    String controlTopic;

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

    /**
     * The validated configuration.
     *
     * @throws IllegalArgumentException naming the bad flag or value
     */
    public StreamingConfig toConfig() {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("missing " + BOOTSTRAP_SERVERS);
        }
        return new StreamingConfig(KafkaSettings.withPropertiesFile(bootstrapServers, kafkaProperties),
                new Topics(eventsTopic, dlqTopic, predictionsTopic, controlTopic), schema, lake, registry,
                CatalogKind.parse(catalog), database, table, glueRegion, checkpoint,
                StreamingOptions.parseDuration(triggerInterval, TRIGGER_INTERVAL), maxOffsetsPerTrigger,
                startingOffsets, explain);
    }

    @Override
    public Integer call() throws Exception {
        StreamingConfig config = toConfig();
        SparkSession spark = session();
        StreamingJob job = StreamingJob.start(spark, config);
        Runtime.getRuntime().addShutdownHook(new Thread(job::stop, "streamtree-streaming-shutdown"));
        job.awaitTermination();
        return 0;
    }

    /** A session named for the job; {@code local[*]} only when nothing (such as spark-submit) set a master. */
    static SparkSession session() {
        SparkSession.Builder builder = SparkSession.builder().appName(QUERY_NAME);
        if (!new SparkConf().contains("spark.master")) {
            builder = builder.master("local[*]");
        }
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
