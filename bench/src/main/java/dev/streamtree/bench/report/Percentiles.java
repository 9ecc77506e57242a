package dev.streamtree.bench.report;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample (no interpolation: every reported value was observed). */
public final class Percentiles {

    private Percentiles() {
    }

    /**
     * The smallest value such that at least {@code p} percent of the sample is at or below it.
     *
     * @throws IllegalArgumentException when the sample is empty or {@code p} is outside (0, 100]
     */
    public static long of(long[] sample, double p) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("no values to take the " + p + "th percentile of");
        }
        if (!(p > 0 && p <= 100)) {
            throw new IllegalArgumentException("percentile must be within (0, 100], got " + p);
        }
        long[] sorted = sample.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }
}
