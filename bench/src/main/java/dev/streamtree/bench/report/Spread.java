package dev.streamtree.bench.report;

import java.util.List;

/**
 * The median and the range of a figure measured several times in one run (the throughput part runs each query
 * {@code --repeats} times). The median of an even count is the mean of the two middle values.
 *
 * @param median the middle value
 * @param min    the lowest
 * @param max    the highest
 * @param count  how many values
 */
public record Spread(double median, double min, double max, int count) {

    /**
     * @throws IllegalArgumentException for no values or a value that is not finite (a run that failed to measure)
     */
    public static Spread of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to take a median of");
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        for (double v : sorted) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("not a finite value in " + values);
            }
        }
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new Spread(median, sorted[0], sorted[n - 1], n);
    }

    /** "48,210-60,934" or, for ratios, "0.81-1.02"; one value alone when min equals max. */
    public String range() {
        String low = ResultTable.format(min);
        String high = ResultTable.format(max);
        return low.equals(high) ? low : low + "-" + high;
    }
}
