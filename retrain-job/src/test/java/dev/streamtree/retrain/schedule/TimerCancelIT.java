package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.DriftDetected;
import dev.streamtree.common.control.ControlMessage.Reason;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.RetrainOutcome;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.api.java.function.ForeachFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drift cancels the timer retrain that is running, never a requested one: a real broker carries the control
 * topic and the retrains' Spark jobs run in a real local session. The retrain itself is the test's (a job whose
 * tasks block), so the cancel always finds it running.
 */
class TimerCancelIT {

    private static final Duration WAIT = Duration.ofMinutes(2);
    /** Counted down by a blocking task once it runs; awaited by a request's task until the test releases it. */
    private static volatile CountDownLatch taskStarted;
    private static volatile CountDownLatch release;

    private static TestKafka kafka;
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        kafka.createTopics(1, List.of("cancel.control"));
        spark = TestSpark.local("TimerCancelIT");
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void aDriftCancelsTheRunningTimerRetrainIncludingTheJobsItStartsAfterTheCancel() throws Exception {
        taskStarted = new CountDownLatch(1);
        CancellableRuns runs = new CancellableRuns(spark.sparkContext());
        RetrainRunner runner = runner(runs, () -> {
            try {
                blockingJob(false);
            } catch (Exception cancelled) {
                // A search's other fit threads go on starting jobs after the cancel: they must be cancelled too.
                spark.range(0, 4, 1, 2).count();
            }
        });
        try (ControlChannel channel = new ControlChannel(KafkaSettings.of(kafka.bootstrapServers()), "cancel.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = scheduler(runner, channel).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            RetrainRequest timer = new RetrainRequest("timer-" + UUID.randomUUID(), Instant.now(), false, "timer",
                    Reason.TIMER, null);
            scheduler.request(timer);
            assertThat(taskStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the timer retrain's job runs").isTrue();

            DriftDetected drift = drift();
            channel.publish(drift);
            List<RetrainStatus> seen = new ArrayList<>();
            RetrainStatus cancelled = watcher.awaitFinal(timer.requestId(), WAIT, seen::add).orElseThrow();
            assertThat(cancelled.status()).isEqualTo(Status.FAILED);
            assertThat(cancelled.detail()).contains("retrain cancelled: drift " + drift.requestId()
                    + " detected: a timer retrain reads across its change point " + drift.changePoint());
            assertThat(scheduler.cancelledTimerRetrains()).isEqualTo(1);

            RetrainStatus driftRun = watcher.awaitFinal(drift.requestId(), WAIT, seen::add).orElseThrow();
            assertThat(driftRun.status()).as(driftRun.detail()).isEqualTo(Status.KEPT);
            assertThat(driftRun.detail()).contains("(drift)");
        }
    }

    @Test
    void aDriftLeavesARequestedRetrainRunning() throws Exception {
        taskStarted = new CountDownLatch(1);
        release = new CountDownLatch(1);
        CancellableRuns runs = new CancellableRuns(spark.sparkContext());
        RetrainRunner runner = runner(runs, () -> blockingJob(true));
        try (ControlChannel channel = new ControlChannel(KafkaSettings.of(kafka.bootstrapServers()), "cancel.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = scheduler(runner, channel).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            RetrainRequest requested = new RetrainRequest("asked-" + UUID.randomUUID(), Instant.now(), false, "it");
            scheduler.request(requested);
            assertThat(taskStarted.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the requested retrain's job runs").isTrue();

            assertThat(scheduler.onDrift(drift())).as("the drift is accepted").isTrue();
            assertThat(scheduler.cancelledTimerRetrains()).isZero();
            release.countDown();
            RetrainStatus served = watcher.awaitFinal(requested.requestId(), WAIT, s -> { }).orElseThrow();
            assertThat(served.status()).as(served.detail()).isEqualTo(Status.KEPT);
        }
    }

    /** A scheduler on the test's runner, drift retraining on, with enough labelled rows for any drift at once. */
    private static RetrainScheduler scheduler(RetrainRunner runner, ControlChannel channel) {
        TriggerPolicy policy = new TriggerPolicy(true, 500, Duration.ofMinutes(1), Duration.ofMinutes(2), false, 500,
                Duration.ofMillis(100));
        LakeProbe probe = new LakeProbe() {
            @Override
            public long labelledRowsSince(Instant from, long needed) {
                return 10_000;
            }

            @Override
            public boolean hasCurrentModel() {
                return true;
            }
        };
        return new RetrainScheduler(runner, channel, null, "it-cancel-" + UUID.randomUUID(), Clock.systemUTC(), policy, probe);
    }

    /** Timer and requested retrains run {@code slow} in the cancellable runs; a drift retrain returns at once. */
    private static RetrainRunner runner(CancellableRuns runs, Runnable slow) {
        RetrainOutcome kept = new RetrainOutcome(false, VersionId.parse("v000002"), Optional.empty(),
                new Metrics(0.5, 0.5, 0.5, 10), Optional.empty(), TreeParams.of(2, 1), "kept for the test", "summary");
        return new RetrainRunner() {
            @Override
            public RetrainOutcome run(RequestQueue.Batch batch) {
                return runs.run(() -> {
                    if (batch.reason() != Reason.DRIFT) {
                        slow.run();
                    }
                    return kept;
                });
            }

            @Override
            public boolean cancel(String why) {
                return runs.cancel(why);
            }
        };
    }

    /** A Spark job whose tasks block: until interrupted, or ({@code untilReleased}) until the test releases them. */
    private static void blockingJob(boolean untilReleased) {
        spark.range(0, 2, 1, 2).foreach((ForeachFunction<Long>) row -> {
            taskStarted.countDown();
            if (untilReleased) {
                release.await(2, TimeUnit.MINUTES);
            } else {
                Thread.sleep(Duration.ofMinutes(10).toMillis());
            }
        });
    }

    private static DriftDetected drift() {
        Instant detectedAt = Instant.now();
        return new DriftDetected(DriftDetected.idFor("v000001", detectedAt), "v000001", "adwin", detectedAt,
                detectedAt.minusSeconds(5), false, 0.05, 0.4, 1000, 100);
    }
}
