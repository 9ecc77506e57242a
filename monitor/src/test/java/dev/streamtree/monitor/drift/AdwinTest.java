package dev.streamtree.monitor.drift;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.streamtree.monitor.drift.ErrorStreams.detections;
import static dev.streamtree.monitor.drift.ErrorStreams.firstDetection;
import static dev.streamtree.monitor.drift.ErrorStreams.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class AdwinTest {

    private static final int STEP = 1000;

    @Test
    void detectsAnErrorStepFrom5To40PercentWithin150ItemsOnEverySeed() {
        List<Integer> delays = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            Adwin adwin = new Adwin();
            int detected = firstDetection(adwin, step(seed, STEP, 0.05, 1000, 0.40));
            assertThat(detected).as("seed %d: first detection (step at %d)", seed, STEP).isGreaterThanOrEqualTo(STEP);
            delays.add(detected - STEP);
        }
        System.out.printf("ADWIN delay after a 0.05 -> 0.40 step at item %d over 20 seeds: mean %.1f, min %d, max %d%n",
                STEP, delays.stream().mapToInt(Integer::intValue).average().orElseThrow(),
                delays.stream().mapToInt(Integer::intValue).min().orElseThrow(),
                delays.stream().mapToInt(Integer::intValue).max().orElseThrow());
        assertThat(delays).as("items from the step to the detection").allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(150));
        assertThat(delays.stream().mapToInt(Integer::intValue).average().orElseThrow()).as("mean delay").isLessThanOrEqualTo(100);
    }

    @Test
    void placesTheChangePointNearTheStepAndReportsTheErrorOnEachSide() {
        List<Long> offsets = new ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            Adwin adwin = new Adwin();
            int detected = firstDetection(adwin, step(seed, STEP, 0.05, 1000, 0.40));
            DriftSignal drift = adwin.lastDrift().orElseThrow();
            assertThat(drift.detectedAtIndex()).isEqualTo(detected);
            assertThat(drift.changeIndex()).as("seed %d: change index", seed).isBetween(STEP - 100L, STEP + 100L);
            assertThat(drift.itemsBefore()).as("the window started at item 0").isEqualTo(drift.changeIndex());
            assertThat(drift.meanBefore()).as("seed %d: error before", seed).isBetween(0.02, 0.10);
            assertThat(drift.meanAfter()).as("seed %d: error after", seed).isBetween(0.25, 0.75);
            Adwin.Cut cut = adwin.lastCut().orElseThrow();
            assertThat(cut.keptStart()).as("the kept window").isEqualTo(adwin.itemsSeen() - adwin.width());
            assertThat(cut.dropped()).as("dropped items").isEqualTo(cut.keptStart());
            assertThat(cut.keptMean()).isEqualTo(adwin.mean());
            assertThat(cut.keptStart()).as("seed %d: the first kept window still reaches back before the change", seed)
                    .isLessThanOrEqualTo(drift.changeIndex());
            offsets.add(drift.changeIndex() - STEP);
        }
        System.out.printf("ADWIN change index minus true step over 20 seeds: %s%n", offsets);
    }

    @Test
    void raisesNoAlarmOver100000StationaryItemsAtTheDefaultDelta() {
        for (long seed = 1; seed <= 5; seed++) {
            Adwin adwin = new Adwin();
            int alarms = detections(adwin, step(seed, 100_000, 0.2, 0, 0.2));
            assertThat(alarms).as("seed %d: false alarms over 100,000 Bernoulli(0.2) items", seed).isZero();
            assertThat(adwin.width()).as("seed %d: the window keeps everything", seed).isEqualTo(100_000);
            assertThat(adwin.mean()).isCloseTo(0.2, within(0.01));
        }
    }

    @Test
    void keepsMeanWidthAndVarianceOfExactlyTheItemsInItsWindow() {
        double[] values = step(7, 3000, 0.1, 3000, 0.5);
        Adwin adwin = new Adwin();
        int drifts = 0;
        for (int i = 0; i < values.length; i++) {
            drifts += adwin.add(values[i]) ? 1 : 0;
            if (i % 97 == 0 || i == values.length - 1) {
                long width = adwin.width();
                assertThat(adwin.itemsSeen()).isEqualTo(i + 1);
                assertThat(width).isBetween(1L, i + 1L);
                double mean = 0;
                for (int j = i + 1 - (int) width; j <= i; j++) {
                    mean += values[j];
                }
                mean /= width;
                double variance = 0;
                for (int j = i + 1 - (int) width; j <= i; j++) {
                    variance += (values[j] - mean) * (values[j] - mean);
                }
                variance /= width;
                assertThat(adwin.mean()).as("mean after item %d", i).isCloseTo(mean, within(1e-9));
                assertThat(adwin.variance()).as("variance after item %d", i).isCloseTo(variance, within(1e-9));
                int rows = 64 - Long.numberOfLeadingZeros(width);
                assertThat(adwin.bucketCount()).as("buckets for %d items", width)
                        .isLessThanOrEqualTo(AdwinConfig.DEFAULT_BUCKETS_PER_ROW * rows);
            }
        }
        assertThat(drifts).as("the step is detected").isPositive();
    }

    @Test
    void firesAgainWhileItShedsTheOldRegimeButPointsAtTheSameChange() {
        Adwin adwin = new Adwin();
        double[] values = step(18, STEP, 0.05, 3000, 0.40);
        List<Long> changes = new ArrayList<>();
        List<Long> keptStarts = new ArrayList<>();
        for (double value : values) {
            if (adwin.add(value)) {
                changes.add(adwin.lastDrift().orElseThrow().changeIndex());
                keptStarts.add(adwin.lastCut().orElseThrow().keptStart());
            }
        }
        assertThat(changes).as("every detection of the one step").hasSizeGreaterThan(1)
                .allSatisfy(c -> assertThat(c).isBetween(STEP - 100L, STEP + 100L));
        assertThat(keptStarts).as("the kept window moves forward").isSorted();
        assertThat(keptStarts.get(0)).as("seed 18: the first kept window starts far before the step").isLessThan(STEP - 500L);
    }

    @Test
    void keepsExactMomentsForRealValuedInput() {
        Random random = new Random(3);
        Adwin adwin = new Adwin();
        double sum = 0;
        double squares = 0;
        int n = 5000;
        for (int i = 0; i < n; i++) {
            double value = 10 + random.nextGaussian();
            sum += value;
            squares += value * value;
            assertThat(adwin.add(value)).isFalse();
        }
        assertThat(adwin.mean()).isCloseTo(sum / n, within(1e-9));
        assertThat(adwin.variance()).isCloseTo(squares / n - (sum / n) * (sum / n), within(1e-6));
    }

    @Test
    void checksForACutOnlyEveryClockItems() {
        double[] values = step(11, STEP, 0.05, 1000, 0.40);
        Adwin everyItem = new Adwin(AdwinConfig.defaults().withClock(1));
        Adwin every32 = new Adwin();
        int early = firstDetection(everyItem, values);
        int late = firstDetection(every32, values);
        assertThat((late + 1) % 32).as("detections land on a check").isZero();
        assertThat(late).as("checking every item finds it no later").isGreaterThanOrEqualTo(early);
        assertThat(late - early).isLessThan(32);
    }

    @Test
    void resetEmptiesTheWindowButKeepsCountingItems() {
        Adwin adwin = new Adwin();
        firstDetection(adwin, step(5, STEP, 0.05, 500, 0.40));
        long seen = adwin.itemsSeen();
        adwin.reset();
        assertThat(adwin.width()).isZero();
        assertThat(adwin.mean()).isZero();
        assertThat(adwin.lastDrift()).isEmpty();
        assertThat(adwin.earliestChangeIndex()).isEqualTo(seen);
        adwin.add(1);
        assertThat(adwin.itemsSeen()).isEqualTo(seen + 1);
        assertThat(adwin.mean()).isEqualTo(1);
    }

    @Test
    void refusesValuesAndParametersItCannotUse() {
        assertThatThrownBy(() -> new Adwin().add(Double.NaN)).hasMessage("ADWIN takes finite values, got NaN");
        assertThatThrownBy(() -> new AdwinConfig(0, 5, 32, 5))
                .hasMessage("ADWIN delta must lie strictly between 0 and 1, got 0.0");
        assertThatThrownBy(() -> new AdwinConfig(0.002, 1, 32, 5))
                .hasMessage("ADWIN buckets per row must be at least 2, got 1");
        assertThatThrownBy(() -> AdwinConfig.defaults().withClock(0))
                .hasMessage("ADWIN clock must be at least 1 item, got 0");
    }
}
