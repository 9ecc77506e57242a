package dev.streamtree.ingest.cli;

import dev.streamtree.common.kafka.KafkaSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Connection options shared by every ingest command. */
public final class KafkaOptions {

    @Option(names = "--bootstrap-servers", defaultValue = "localhost:9092", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--kafka-properties", paramLabel = "FILE",
            description = "Kafka client properties file (security.protocol, sasl.*, ssl.*); a value ${env:NAME} is read from the environment.")
    Path kafkaProperties;

    public KafkaSettings settings() {
        return KafkaSettings.withPropertiesFile(bootstrapServers, kafkaProperties);
    }
}
