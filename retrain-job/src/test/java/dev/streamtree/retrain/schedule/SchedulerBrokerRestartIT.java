package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.RetrainOutcome;
import dev.streamtree.retrain.train.Metrics;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real broker ({@link EmbeddedKafka}) stopped under a running {@link RetrainScheduler}: the scheduler does not
 * crash, its timer keeps running retrains (their statuses cannot be published and are logged), and after the
 * broker is back a retrain requested on the control topic runs and its final status arrives.
 *
 * <p>The retrain itself is a stand-in {@link RetrainRunner} (the real one reads the lake, not Kafka, so the broker
 * does not affect it); everything Kafka is real. The consumer's {@code default.api.timeout.ms} is 3 s so the listener's
 * commit times out during a 10 s outage, as it would with the default 60 s during a longer one.
 */
class SchedulerBrokerRestartIT {

    private static final String TOPIC = "sched.control";
    private static final Duration OUTAGE = Duration.ofSeconds(10);

    @Test
    void schedulerKeepsRunningWhileTheBrokerIsDownAndServesARequestAfterItReturns() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, List.of(TOPIC));
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), Map.of("default.api.timeout.ms", "3000"));
            AtomicInteger runs = new AtomicInteger();
            RetrainRunner runner = batch -> {
                int run = runs.incrementAndGet();
                return new RetrainOutcome(true, VersionId.parse(String.valueOf(run)), Optional.empty(), new Metrics(0.9, 0.9, 0.9, 100),
                        Optional.empty(), TreeParams.of(3, 1), "stand-in retrain #" + run, "stand-in");
            };
            try (ControlChannel channel = new ControlChannel(settings, TOPIC);
                 RetrainScheduler scheduler = new RetrainScheduler(runner, channel, Duration.ofSeconds(2),
                         "sched-it-" + System.nanoTime(), Clock.systemUTC()).start()) {
                assertThat(scheduler.awaitListening(Duration.ofSeconds(30))).isTrue();
                awaitRuns(scheduler, 1, Duration.ofSeconds(20));

                kafka.stopBroker();
                int runsAtStop = scheduler.completedRuns();
                Thread.sleep(OUTAGE.toMillis());
                int runsDuringOutage = scheduler.completedRuns() - runsAtStop;
                kafka.startBroker();
                System.out.println("SchedulerBrokerRestartIT: " + runsDuringOutage + " timer retrains completed during the "
                        + OUTAGE.toSeconds() + " s outage (a run blocks up to 30 s publishing its status, then logs it)");

                String requestId = "after-restart-" + System.nanoTime();
                long published = System.nanoTime();
                try (StatusWaiter waiter = new StatusWaiter(channel, Duration.ofSeconds(30))) {
                    channel.publish(new RetrainRequest(requestId, Instant.now(), false, "SchedulerBrokerRestartIT"));
                    Optional<RetrainStatus> status = waiter.awaitFinal(requestId, Duration.ofSeconds(90), s -> { });
                    assertThat(status).as("final status of the request sent after the restart").isPresent();
                    assertThat(status.get().status()).isEqualTo(Status.PROMOTED);
                    assertThat(status.get().detail()).contains("stand-in retrain #");
                }
                System.out.println("SchedulerBrokerRestartIT: request after the restart served in "
                        + (System.nanoTime() - published) / 1_000_000 + " ms; " + scheduler.completedRuns() + " runs in all");
                assertThat(scheduler.completedRuns()).as("retrains after the outage").isGreaterThan(runsAtStop + runsDuringOutage);
            }
        }
    }

    private static void awaitRuns(RetrainScheduler scheduler, int runs, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (scheduler.completedRuns() < runs) {
            assertThat(System.nanoTime()).as("scheduler ran " + scheduler.completedRuns() + " retrains").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
