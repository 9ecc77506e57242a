package dev.streamtree.monitor;

import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.accuracy.AccuracySnapshot;
import dev.streamtree.monitor.accuracy.LabelledPrediction;
import dev.streamtree.monitor.drift.Adwin;
import dev.streamtree.monitor.drift.PageHinkley;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class LiveAccuracyTest {

    private static final VersionId V1 = new VersionId(1);
    private static final VersionId V2 = new VersionId(2);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-01T11:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** v1 errs 5% of the time until its 2,000th labelled prediction, 40% after; v2 errs 20% throughout. */
    private static List<DriftDetection> feed(LiveAccuracy live, long seed) {
        Random random = new Random(seed);
        List<DriftDetection> detections = new ArrayList<>();
        for (int i = 0; i < 6000; i++) {
            Instant eventTime = T0.plusMillis(200L * i);
            // labels arrive up to 2 s (10 items) out of event-time order
            Instant jittered = eventTime.plusMillis(random.nextInt(4000) - 2000);
            double error = i < 2000 ? 0.05 : 0.40;
            String predicted1 = random.nextDouble() < error ? "B" : "A";
            live.record(new LabelledPrediction(V1, predicted1, "A", jittered)).ifPresent(detections::add);
            String predicted2 = random.nextDouble() < 0.2 ? "A" : "B";
            live.record(new LabelledPrediction(V2, predicted2, "B", jittered)).ifPresent(detections::add);
        }
        return detections;
    }

    @Test
    void reportsOneDetectionForTheVersionWhoseErrorsSteppedUpWithItsChangePointInEventTime() {
        LiveAccuracy live = new LiveAccuracy(Adwin::new, CLOCK);
        List<DriftDetection> detections = feed(live, 1);

        assertThat(detections).as("one step in v1's errors, none in v2's").hasSize(1);
        DriftDetection detection = detections.get(0);
        assertThat(detection.version()).isEqualTo(V1);
        assertThat(detection.detector()).isEqualTo("adwin");
        assertThat(detection.detectedAt()).isEqualTo(NOW);
        Instant step = T0.plusMillis(200L * 2000);
        assertThat(Duration.between(step, detection.changePoint()).abs())
                .as("change point %s vs the step at %s (100 items = 20 s)", detection.changePoint(), step)
                .isLessThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(detection.changePointExact()).isTrue();
        assertThat(detection.errorBefore()).isBetween(0.03, 0.08);
        assertThat(detection.errorAfter()).isBetween(0.25, 0.75);
        assertThat(detection.labelled()).as("detected within 150 labels of the step").isBetween(2001L, 2150L);
        assertThat(detection.itemsAfterChange()).isBetween(1L, 250L);
        assertThat(live.repeatedFirings(V1)).as("ADWIN's later firings for the same step").isPositive();
        assertThat(live.repeatedFirings(V2)).isZero();
    }

    @Test
    void aVersionWrongFromItsFirstPredictionIsReportedOnceByTheHoldoutGapWithItsFirstEventTime() {
        // v1 was trained across a change: its holdout said 0.95, it errs half the time from its first prediction.
        // v2 is as good as its holdout said. v3 has no holdout figures and is not checked.
        VersionId v3 = new VersionId(3);
        LiveAccuracy live = new LiveAccuracy(Adwin::new, CLOCK).checkingHoldouts(v -> v.equals(v3) ? Optional.empty()
                : Optional.of(new LiveAccuracy.Holdout(0.95, 100)), dev.streamtree.monitor.drift.HoldoutGap.defaults());
        Random random = new Random(5);
        List<DriftDetection> detections = new ArrayList<>();
        int reportedAt = -1;
        for (int i = 0; i < 3000; i++) {
            Instant eventTime = T0.plusMillis(200L * i);
            Instant jittered = i == 7 ? T0.minusSeconds(1) : eventTime; // one label of an earlier event, late
            int before = detections.size();
            live.record(new LabelledPrediction(V1, random.nextDouble() < 0.5 ? "B" : "A", "A", jittered)).ifPresent(detections::add);
            if (detections.size() > before && reportedAt < 0) {
                reportedAt = i + 1;
            }
            live.record(new LabelledPrediction(V2, random.nextDouble() < 0.05 ? "A" : "B", "B", eventTime)).ifPresent(detections::add);
            live.record(new LabelledPrediction(v3, random.nextDouble() < 0.5 ? "A" : "B", "B", eventTime)).ifPresent(detections::add);
        }
        assertThat(detections).as("one detection, v1's").hasSize(1);
        DriftDetection detection = detections.get(0);
        assertThat(detection.version()).isEqualTo(V1);
        assertThat(detection.detector()).isEqualTo("holdout-gap");
        assertThat(detection.changePoint()).as("the earliest event time among v1's labelled predictions").isEqualTo(T0.minusSeconds(1));
        assertThat(detection.changePointExact()).isFalse();
        assertThat(detection.errorBefore()).isCloseTo(0.05, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(detection.errorAfter()).isGreaterThan(0.3);
        assertThat(reportedAt).as("reported at the minimum of 200 labelled predictions").isEqualTo(200);
        assertThat(detection.itemsAfterChange()).isEqualTo(200);
    }

    @Test
    void aVersionWhoseDetectorReportedAChangeIsNoLongerCheckedAgainstItsHoldout() {
        // Right at first, then wrong: ADWIN reports the step; the holdout check, which would see the error rise over
        // the first 1,000 predictions too, must not report the version's start as a second change point.
        LiveAccuracy live = new LiveAccuracy(Adwin::new, CLOCK).checkingHoldouts(
                v -> Optional.of(new LiveAccuracy.Holdout(0.99, 100)), dev.streamtree.monitor.drift.HoldoutGap.defaults());
        Random random = new Random(6);
        List<DriftDetection> detections = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            double error = i < 300 ? 0.0 : 0.9;
            live.record(new LabelledPrediction(V1, random.nextDouble() < error ? "B" : "A", "A", T0.plusSeconds(i)))
                    .ifPresent(detections::add);
        }
        assertThat(detections).extracting(DriftDetection::detector).containsExactly("adwin");
    }

    @Test
    void marksAChangePointInexactWhenItsEventTimeWasAlreadyForgotten() {
        // the log holds 3 event times; ADWIN never places a change fewer than 5 items (its minimum sub-window) back
        LiveAccuracy live = new LiveAccuracy(1000, Adwin::new, 3, CLOCK);
        Random random = new Random(4);
        List<DriftDetection> detections = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            String predicted = random.nextDouble() < (i < 2000 ? 0.05 : 0.40) ? "B" : "A";
            live.record(new LabelledPrediction(V1, predicted, "A", T0.plusSeconds(i))).ifPresent(detections::add);
        }
        assertThat(detections).hasSize(1);
        DriftDetection detection = detections.get(0);
        assertThat(detection.changePointExact()).isFalse();
        assertThat(detection.itemsAfterChange()).isGreaterThan(3);
        assertThat(detection.changePoint()).as("the oldest event time held: 2 items before the detecting one")
                .isEqualTo(T0.plusSeconds(detection.labelled() - 3));
        assertThat(detection.changePoint()).as("later than the step, so a retrain leaves the old regime out")
                .isAfter(T0.plusSeconds(2000));
    }

    @Test
    void doesNotReportAFallInTheErrorRate() {
        LiveAccuracy live = new LiveAccuracy(Adwin::new, CLOCK);
        Random random = new Random(5);
        for (int i = 0; i < 4000; i++) {
            String predicted = random.nextDouble() < (i < 2000 ? 0.40 : 0.05) ? "B" : "A";
            assertThat(live.record(new LabelledPrediction(V1, predicted, "A", T0.plusMillis(200L * i))))
                    .as("item %d", i).isEmpty();
        }
        assertThat(live.fallingFirings(V1)).as("ADWIN saw the error fall").isPositive();
        assertThat(live.repeatedFirings(V1)).isZero();
    }

    @Test
    void keepsAccuracyPerVersion() {
        LiveAccuracy live = new LiveAccuracy(Adwin::new, CLOCK);
        feed(live, 2);
        AccuracySnapshot v1 = live.snapshot(V1).orElseThrow();
        AccuracySnapshot v2 = live.snapshot(V2).orElseThrow();
        assertThat(live.snapshots()).containsExactly(v1, v2);
        assertThat(v1.labelled()).isEqualTo(6000);
        assertThat(v1.windowAccuracy()).as("v1 over its last 1,000, all after the step").isBetween(0.55, 0.65);
        assertThat(v1.accuracySincePromotion()).as("v1: 2,000 at 95%, 4,000 at 60%").isBetween(0.68, 0.75);
        assertThat(v2.accuracySincePromotion()).isBetween(0.78, 0.82);
        assertThat(v2.recallSincePromotion().get("B")).isEqualTo(v2.sincePromotion());
        live.forget(V1);
        assertThat(live.snapshot(V1)).isEmpty();
        assertThat(live.snapshot(new VersionId(9))).isEmpty();
    }

    @Test
    void worksWithPageHinkleyInsteadOfAdwin() {
        LiveAccuracy live = new LiveAccuracy(PageHinkley::new, CLOCK);
        List<DriftDetection> detections = feed(live, 3);
        Optional<DriftDetection> first = detections.stream().findFirst();
        assertThat(first).isPresent();
        assertThat(first.get().version()).isEqualTo(V1);
        assertThat(first.get().detector()).isEqualTo("page-hinkley");
        assertThat(Duration.between(T0.plusMillis(200L * 2000), first.get().changePoint()).abs())
                .isLessThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(detections).as("Page-Hinkley restarts after an alarm, so no repeats of the step")
                .allSatisfy(d -> assertThat(d.version()).isEqualTo(V1)).hasSize(1);
    }
}
