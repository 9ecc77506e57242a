package dev.streamtree.bench.report;

import java.util.Objects;

/**
 * One row of the benchmark table.
 *
 * @param part     which benchmark produced it (kafka, passthrough, streaming, latency-5000, swap, training)
 * @param metric   what was measured
 * @param value    the figure
 * @param unit     its unit (rec/s, ms, s, ratio, count)
 * @param baseline what it is compared with, in the same run ("" when none)
 * @param goal     the goal in words ("" when none)
 * @param met      whether the goal was reached, or null when there is no goal
 */
public record Measurement(String part, String metric, double value, String unit, String baseline, String goal, Boolean met) {

    public Measurement {
        Objects.requireNonNull(part, "part");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(unit, "unit");
        baseline = baseline == null ? "" : baseline;
        goal = goal == null ? "" : goal;
    }

    /** A figure with neither baseline nor goal. */
    public static Measurement plain(String part, String metric, double value, String unit) {
        return new Measurement(part, metric, value, unit, "", "", null);
    }

    /** A figure checked against a goal. */
    public static Measurement checked(String part, String metric, double value, String unit, String baseline,
                                      String goal, boolean met) {
        return new Measurement(part, metric, value, unit, baseline, goal, met);
    }

    /** The verdict column: PASS, MISS or blank. */
    public String verdict() {
        return met == null ? "" : met ? "PASS" : "MISS";
    }
}
