package dev.streamtree.monitor.drift;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.streamtree.monitor.drift.ErrorStreams.detections;
import static dev.streamtree.monitor.drift.ErrorStreams.firstDetection;
import static dev.streamtree.monitor.drift.ErrorStreams.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PageHinkleyTest {

    private static final int STEP = 1000;

    @Test
    void detectsTheSameErrorStepAsAdwin() {
        List<Integer> delays = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            PageHinkley detector = new PageHinkley();
            int detected = firstDetection(detector, step(seed, STEP, 0.05, 1000, 0.40));
            assertThat(detected).as("seed %d: first detection (step at %d)", seed, STEP).isGreaterThanOrEqualTo(STEP);
            delays.add(detected - STEP);
            DriftSignal drift = detector.lastDrift().orElseThrow();
            assertThat(drift.detectedAtIndex()).isEqualTo(detected);
            assertThat(drift.changeIndex()).as("seed %d: change index", seed).isBetween(STEP - 100L, STEP + 100L);
            offsets.add(drift.changeIndex() - STEP);
            assertThat(drift.meanBefore()).as("seed %d: error before", seed).isBetween(0.02, 0.10);
            assertThat(drift.meanAfter()).as("seed %d: error after", seed).isBetween(0.25, 0.60);
        }
        System.out.printf("Page-Hinkley delay after a 0.05 -> 0.40 step at item %d over 20 seeds: mean %.1f, min %d, max %d;"
                        + " change index minus step: %s%n",
                STEP, delays.stream().mapToInt(Integer::intValue).average().orElseThrow(),
                delays.stream().mapToInt(Integer::intValue).min().orElseThrow(),
                delays.stream().mapToInt(Integer::intValue).max().orElseThrow(), offsets);
        assertThat(delays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(300));
    }

    @Test
    void countsFalseAlarmsOnAStationaryStream() {
        List<Integer> alarms = new ArrayList<>();
        for (long seed = 1; seed <= 5; seed++) {
            alarms.add(detections(new PageHinkley(), step(seed, 100_000, 0.2, 0, 0.2)));
        }
        System.out.printf("Page-Hinkley false alarms over 100,000 Bernoulli(0.2) items, seeds 1-5: %s%n", alarms);
        assertThat(alarms).allSatisfy(a -> assertThat(a).isLessThanOrEqualTo(1));
    }

    @Test
    void resetsItselfAfterAnAlarm() {
        PageHinkley detector = new PageHinkley();
        int detected = firstDetection(detector, step(2, STEP, 0.05, 1000, 0.40));
        assertThat(detector.statistic()).isZero();
        assertThat(detector.earliestChangeIndex()).isEqualTo(detected + 1L);
        assertThat(detector.lastDrift()).isPresent();
    }

    @Test
    void refusesParametersItCannotUse() {
        assertThatThrownBy(() -> new PageHinkleyConfig(0.005, 0, 1, 30))
                .hasMessage("Page-Hinkley lambda must be a finite value > 0, got 0.0");
        assertThatThrownBy(() -> new PageHinkleyConfig(0.005, 50, 1.5, 30))
                .hasMessage("Page-Hinkley alpha must lie in (0, 1], got 1.5");
        assertThatThrownBy(() -> new PageHinkley().add(Double.POSITIVE_INFINITY))
                .hasMessage("Page-Hinkley takes finite values, got Infinity");
    }
}
