package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.RetrainException;
import dev.streamtree.retrain.RetrainOutcome;
import dev.streamtree.retrain.metrics.RetrainMetrics;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.testing.MetricsScrape;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a real Kafka broker ({@link TestKafka}) for the control topic and runs the scheduler with a fake retrain and
 * its metrics served over HTTP, scraped as Prometheus would after each run.
 */
class SchedulerMetricsIT {

    private static TestKafka kafka;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        kafka.createTopics(1, List.of("metrics.control"));
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void eachFinishedRunIsCountedByOutcomeAndTimed() throws Exception {
        RetrainOutcome kept = new RetrainOutcome(false, VersionId.parse("v000004"), Optional.empty(),
                new Metrics(0.5, 0.5, 0.5, 10), Optional.empty(), TreeParams.of(2, 1), "kept for the test", "summary");
        int[] calls = {0};
        RetrainRunner runner = batch -> {
            if (calls[0]++ == 0) {
                throw new RetrainException("lake unreadable (test)");
            }
            return kept;
        };
        PrometheusRegistry prometheus = new PrometheusRegistry();
        try (HTTPServer server = RetrainMetrics.serve(prometheus, 0);
             ControlChannel channel = new ControlChannel(KafkaSettings.of(kafka.bootstrapServers()), "metrics.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = new RetrainScheduler(runner, channel, null, "it-metrics-" + UUID.randomUUID(),
                     Clock.systemUTC()).observedBy(new RetrainMetrics(prometheus)).start()) {
            String url = "http://localhost:" + server.getPort() + "/metrics";
            MetricsScrape before = MetricsScrape.of(url);
            assertThat(before.named(RetrainMetrics.RUNS + "_total")).as("every outcome exposed at zero")
                    .extracting(s -> s.labels().get("outcome") + "=" + s.value())
                    .containsExactlyInAnyOrder("promoted=0.0", "kept=0.0", "failed=0.0");
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();

            channel.publish(new RetrainRequest("metrics-1", Instant.now(), false, "it"));
            RetrainStatus first = watcher.awaitFinal("metrics-1", Duration.ofSeconds(60), s -> { }).orElseThrow();
            MetricsScrape afterFailure = MetricsScrape.of(url);

            channel.publish(new RetrainRequest("metrics-2", Instant.now(), false, "it"));
            RetrainStatus second = watcher.awaitFinal("metrics-2", Duration.ofSeconds(60), s -> { }).orElseThrow();
            MetricsScrape afterKept = MetricsScrape.of(url);

            assertThat(first.status()).isEqualTo(Status.FAILED);
            assertThat(second.status()).isEqualTo(Status.KEPT);
            assertThat(afterFailure.value(RetrainMetrics.RUNS + "_total", "outcome", "failed")).as("failed run")
                    .hasValue(1.0);
            assertThat(afterFailure.value(RetrainMetrics.RUNS + "_total", "outcome", "kept")).hasValue(0.0);
            assertThat(afterKept.value(RetrainMetrics.RUNS + "_total", "outcome", "kept")).as("kept run").hasValue(1.0);
            assertThat(afterKept.value(RetrainMetrics.RUNS + "_total", "outcome", "promoted")).hasValue(0.0);
            assertThat(afterKept.value(RetrainMetrics.DURATION + "_count", "outcome", "failed")).hasValue(1.0);
            assertThat(afterKept.value(RetrainMetrics.DURATION + "_count", "outcome", "kept")).hasValue(1.0);
            assertThat(afterKept.value(RetrainMetrics.DURATION + "_sum", "outcome", "kept")).as("run time")
                    .hasValueSatisfying(seconds -> assertThat(seconds).isNotNegative().isLessThan(60.0));
        }
    }
}
