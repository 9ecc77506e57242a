package dev.streamtree.common.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaSettingsTest {

    @Test
    void readsClientPropertiesAndNeverPrintsTheirValues(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "security.protocol=SASL_SSL\nsasl.jaas.config=top-secret-value\n");
        KafkaSettings settings = KafkaSettings.withPropertiesFile("broker1:9096,broker2:9096", file);
        assertThat(settings.toProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("bootstrap.servers", "broker1:9096,broker2:9096");
        assertThat(settings.toString()).contains("sasl.jaas.config").doesNotContain("top-secret-value");
        assertThat(KafkaSettings.isSecret("ssl.keystore.password")).isTrue();
    }

    @Test
    void resolvesEnvironmentReferencesAndNamesMissingOnes() {
        assertThat(KafkaSettings.resolve("sasl.password", "${env:PW}", Map.of("PW", "s3cret"))).isEqualTo("s3cret");
        assertThatThrownBy(() -> KafkaSettings.resolve("sasl.password", "${env:PW}", Map.of()))
                .hasMessage("Kafka property 'sasl.password' refers to environment variable PW, which is not set");
    }

    @Test
    void refusesMalformedBootstrapServers() {
        assertThatThrownBy(() -> KafkaSettings.of("localhost")).hasMessage("bootstrap server 'localhost' is not host:port");
        assertThatThrownBy(() -> KafkaSettings.of(" ")).hasMessage("Kafka bootstrap servers are empty");
    }
}
