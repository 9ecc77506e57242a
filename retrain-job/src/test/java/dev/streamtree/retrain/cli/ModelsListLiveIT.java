package dev.streamtree.retrain.cli;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.retrain.RetrainJobMain;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code models list} with a real broker: live figures from the model-metrics topic beside the holdout figures. */
class ModelsListLiveIT {

    private static final Instant T = Instant.parse("2026-12-02T10:00:00Z");

    private static ModelMetadata metadata(double accuracy) {
        return new ModelMetadata(T, "abc123", List.of("salary", "car"), List.of("A", "B"), "last 1000 rows", 800, 200,
                Map.of("A", 500L, "B", 300L), Map.of("maxDepth", "5"), Map.of("accuracy", accuracy), Map.of(), null,
                "4.1.0", "0.1.0-SNAPSHOT");
    }

    private static String list(String... args) {
        StringWriter out = new StringWriter();
        int exit = RetrainJobMain.commandLine().setOut(new PrintWriter(out)).execute(args);
        assertThat(exit).as(out.toString()).isZero();
        return out.toString();
    }

    @Test
    void showsTheLatestLiveAccuracyPerVersionBesideTheHoldoutFiguresAndSaysWhenThereAreNone(@TempDir Path dir)
            throws Exception {
        String root = dir.resolve("registry").toUri().toString();
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(root, new Configuration());
        for (double accuracy : new double[] {0.91, 0.88}) {
            try (PendingVersion pending = registry.stage()) {
                Path model = Path.of(URI.create(pending.modelLocation()));
                Files.createDirectories(model);
                Files.writeString(model.resolve("part"), "model");
                pending.commit(metadata(accuracy));
            }
        }

        assertThat(list("models", "list", "--registry", root)).contains("v000001").contains("0.9100")
                .contains("no live figures (give --bootstrap-servers to read the monitor's streamtree.model-metrics)");

        try (TestKafka kafka = TestKafka.start();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                     new ByteArraySerializer(), new ByteArraySerializer())) {
            kafka.createTopics(1, List.of("live-metrics"));
            assertThat(list("models", "list", "--registry", root, "--bootstrap-servers", kafka.bootstrapServers(),
                    "--model-metrics-topic", "live-metrics")).contains("no live figures on live-metrics yet");

            for (ModelMetrics m : List.of(
                    new ModelMetrics("v000001", T, 1000, 1000, 700, 5000, 4000, Map.of(), T, 0),
                    new ModelMetrics("v000001", T.plusSeconds(5), 1000, 1000, 650, 6000, 4650, Map.of(), T, 1),
                    new ModelMetrics("v000002", T.plusSeconds(5), 1000, 200, 190, 200, 190, Map.of(), T, 0))) {
                producer.send(new ProducerRecord<>("live-metrics", m.modelVersion().getBytes(StandardCharsets.UTF_8),
                        m.toJson())).get();
            }
            String shown = list("models", "list", "--registry", root, "--bootstrap-servers", kafka.bootstrapServers(),
                    "--model-metrics-topic", "live-metrics");
            assertThat(shown).contains("LIVE (WINDOW)").doesNotContain("no live figures");
            assertThat(shown.lines().filter(l -> l.contains("v000001")).findFirst().orElseThrow())
                    .as("the latest record of v000001").contains("0.9100").contains("0.6500/1000").contains("0.7750/6000");
            assertThat(shown.lines().filter(l -> l.contains("v000002")).findFirst().orElseThrow())
                    .contains("0.8800").contains("0.9500/200");
        }
    }
}
