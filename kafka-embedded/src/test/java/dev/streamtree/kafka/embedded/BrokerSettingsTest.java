package dev.streamtree.kafka.embedded;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BrokerSettingsTest {

    @Test
    void everyBrokerPropertyBecomesTheImagesEnvironmentVariable() {
        assertThat(BrokerSettings.containerEnvironment())
                .hasSameSizeAs(BrokerSettings.properties())
                .containsEntry("KAFKA_MESSAGE_MAX_BYTES", String.valueOf(16 * 1024 * 1024))
                .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .containsEntry("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1");
    }
}
