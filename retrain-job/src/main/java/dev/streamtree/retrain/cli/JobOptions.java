package dev.streamtree.retrain.cli;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.retrain.RetrainConfig;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The flags every job shares (see the common job flags in the design). */
public final class JobOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka bootstrap servers.")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*); ${env:NAME} values come from the environment.")
    Path kafkaProperties;

    @Option(names = "--schema", defaultValue = RetrainConfig.DEFAULT_SCHEMA, description = "Schema file or builtin:NAME (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--lake", defaultValue = RetrainConfig.DEFAULT_LAKE, description = "Lake table location (default: ${DEFAULT-VALUE}).")
    String lake;

    @Option(names = "--registry", defaultValue = RetrainConfig.DEFAULT_REGISTRY, description = "Model registry location (default: ${DEFAULT-VALUE}).")
    String registry;

    @Option(names = "--catalog", defaultValue = RetrainConfig.DEFAULT_CATALOG, description = "local or glue (default: ${DEFAULT-VALUE}).")
    String catalog;

    @Option(names = "--database", defaultValue = RetrainConfig.DEFAULT_DATABASE, description = "Catalog database (default: ${DEFAULT-VALUE}).")
    String database;

    @Option(names = "--table", defaultValue = RetrainConfig.DEFAULT_TABLE, description = "Catalog table (default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--glue-region", description = "AWS region of the Glue catalog (default: the SDK's region chain).")
    String glueRegion;

    @Option(names = "--events-topic", defaultValue = Topics.DEFAULT_EVENTS, description = "(default: ${DEFAULT-VALUE})")
    String eventsTopic;

    @Option(names = "--predictions-topic", defaultValue = Topics.DEFAULT_PREDICTIONS, description = "(default: ${DEFAULT-VALUE})")
    String predictionsTopic;

    @Option(names = "--dlq-topic", defaultValue = Topics.DEFAULT_DEAD_LETTERS, description = "(default: ${DEFAULT-VALUE})")
    String dlqTopic;

    @Option(names = "--control-topic", defaultValue = Topics.DEFAULT_CONTROL, description = "Retrain requests and statuses (default: ${DEFAULT-VALUE}).")
    String controlTopic;

    /**
     * @throws IllegalArgumentException when --bootstrap-servers is missing or malformed
     */
    public KafkaSettings kafka() {
        if (bootstrapServers == null) {
            throw new IllegalArgumentException("--bootstrap-servers is required for this command");
        }
        return KafkaSettings.withPropertiesFile(bootstrapServers, kafkaProperties);
    }

    public Topics topics() {
        return new Topics(eventsTopic, dlqTopic, predictionsTopic, controlTopic);
    }
}
