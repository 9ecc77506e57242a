package dev.streamtree.bench.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PercentilesTest {

    @Test
    void nearestRankOfOneToHundred() {
        long[] sample = new long[100];
        for (int i = 0; i < 100; i++) {
            sample[i] = 100 - i; // unsorted on purpose
        }
        assertThat(Percentiles.of(sample, 50)).isEqualTo(50);
        assertThat(Percentiles.of(sample, 95)).isEqualTo(95);
        assertThat(Percentiles.of(sample, 99)).isEqualTo(99);
        assertThat(Percentiles.of(sample, 100)).isEqualTo(100);
        assertThat(sample[0]).as("the sample is not reordered").isEqualTo(100);
    }

    @Test
    void smallSamplesReportObservedValues() {
        assertThat(Percentiles.of(new long[] {7}, 99)).isEqualTo(7);
        assertThat(Percentiles.of(new long[] {10, 20, 30}, 50)).isEqualTo(20);
        assertThat(Percentiles.of(new long[] {10, 20, 30}, 99)).isEqualTo(30);
        assertThat(Percentiles.of(new long[] {10, 20, 30}, 1)).isEqualTo(10);
    }

    @Test
    void refusesEmptySampleAndBadPercentile() {
        assertThatThrownBy(() -> Percentiles.of(new long[0], 50)).hasMessageContaining("no values");
        assertThatThrownBy(() -> Percentiles.of(new long[] {1}, 0)).hasMessageContaining("got 0.0");
        assertThatThrownBy(() -> Percentiles.of(new long[] {1}, 101)).hasMessageContaining("got 101.0");
    }
}
