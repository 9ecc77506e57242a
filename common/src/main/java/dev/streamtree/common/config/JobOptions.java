package dev.streamtree.common.config;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The flags every job shares, declared once with one meaning: a picocli mixin ({@code @Mixin JobOptions job}) of the
 * streaming job and of the retrain job's {@code run}, {@code schedule} and {@code trigger}. The flag names are the
 * constants below, which configuration messages use to name a bad flag.
 */
public final class JobOptions {

    public static final String BOOTSTRAP_SERVERS = "--bootstrap-servers";
    public static final String KAFKA_PROPERTIES = "--kafka-properties";
    public static final String SCHEMA = "--schema";
    public static final String LAKE = "--lake";
    public static final String REGISTRY = "--registry";
    public static final String CATALOG = "--catalog";
    public static final String DATABASE = "--database";
    public static final String TABLE = "--table";
    public static final String GLUE_REGION = "--glue-region";
    public static final String EVENTS_TOPIC = "--events-topic";
    public static final String PREDICTIONS_TOPIC = "--predictions-topic";
    public static final String DLQ_TOPIC = "--dlq-topic";
    public static final String CONTROL_TOPIC = "--control-topic";
    public static final String LABELS_TOPIC = "--labels-topic";
    public static final String MODEL_METRICS_TOPIC = "--model-metrics-topic";

    @Option(names = BOOTSTRAP_SERVERS, paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers (required by the commands that use Kafka).")
    private String bootstrapServers;

    @Option(names = KAFKA_PROPERTIES, paramLabel = "FILE",
            description = "Kafka client properties (security.protocol, sasl.*, ssl.*); ${env:NAME} values are read from the environment.")
    private Path kafkaProperties;

    @Option(names = SCHEMA, defaultValue = JobDefaults.SCHEMA, description = "Schema file or builtin:NAME (default: ${DEFAULT-VALUE}).")
    private String schema;

    @Option(names = LAKE, defaultValue = JobDefaults.LAKE, description = "Lake table location, a path or URI (default: ${DEFAULT-VALUE}).")
    private String lake;

    @Option(names = REGISTRY, defaultValue = JobDefaults.REGISTRY, description = "Model registry location (default: ${DEFAULT-VALUE}).")
    private String registry;

    @Option(names = CATALOG, defaultValue = JobDefaults.CATALOG, description = "local or glue (default: ${DEFAULT-VALUE}).")
    private String catalog;

    @Option(names = DATABASE, defaultValue = JobDefaults.DATABASE, description = "Catalog database (default: ${DEFAULT-VALUE}).")
    private String database;

    @Option(names = TABLE, defaultValue = JobDefaults.TABLE, description = "Catalog table (default: ${DEFAULT-VALUE}).")
    private String table;

    @Option(names = GLUE_REGION, description = "AWS region of the Glue catalog (required with --catalog glue).")
    private String glueRegion;

    @Option(names = EVENTS_TOPIC, defaultValue = Topics.DEFAULT_EVENTS, description = "Events in (default: ${DEFAULT-VALUE}).")
    private String eventsTopic;

    @Option(names = PREDICTIONS_TOPIC, defaultValue = Topics.DEFAULT_PREDICTIONS, description = "Predictions out (default: ${DEFAULT-VALUE}).")
    private String predictionsTopic;

    @Option(names = DLQ_TOPIC, defaultValue = Topics.DEFAULT_DEAD_LETTERS, description = "Dead letters out (default: ${DEFAULT-VALUE}).")
    private String dlqTopic;

    @Option(names = CONTROL_TOPIC, defaultValue = Topics.DEFAULT_CONTROL, description = "Retrain requests and statuses (default: ${DEFAULT-VALUE}).")
    private String controlTopic;

    @Option(names = LABELS_TOPIC, defaultValue = Topics.DEFAULT_LABELS,
            description = "Labels that arrive after their event, keyed by event id (default: ${DEFAULT-VALUE}).")
    private String labelsTopic;

    @Option(names = MODEL_METRICS_TOPIC, defaultValue = Topics.DEFAULT_MODEL_METRICS,
            description = "Live accuracy per model version, from the monitor (default: ${DEFAULT-VALUE}).")
    private String modelMetricsTopic;

    /** Whether {@value #BOOTSTRAP_SERVERS} was given (and is not blank). */
    public boolean hasBootstrapServers() {
        return bootstrapServers != null && !bootstrapServers.isBlank();
    }

    /**
     * @throws IllegalArgumentException when {@value #BOOTSTRAP_SERVERS} is missing or malformed, or the properties
     *                                  file cannot be read
     */
    public KafkaSettings kafka() {
        if (!hasBootstrapServers()) {
            throw new IllegalArgumentException(BOOTSTRAP_SERVERS + " is required for this command");
        }
        return KafkaSettings.withPropertiesFile(bootstrapServers, kafkaProperties);
    }

    public Topics topics() {
        return new Topics(eventsTopic, dlqTopic, predictionsTopic, controlTopic, labelsTopic, modelMetricsTopic);
    }

    public String schema() {
        return schema;
    }

    public String lake() {
        return lake;
    }

    public String registry() {
        return registry;
    }

    /** @throws IllegalArgumentException naming the value when it is not local or glue */
    public CatalogKind catalog() {
        return CatalogKind.parse(catalog);
    }

    public String database() {
        return database;
    }

    public String table() {
        return table;
    }

    /** The Glue region, or null when not given. */
    public String glueRegion() {
        return glueRegion;
    }
}
