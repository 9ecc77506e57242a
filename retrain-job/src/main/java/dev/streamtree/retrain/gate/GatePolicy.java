package dev.streamtree.retrain.gate;

import dev.streamtree.retrain.train.Metrics;

/**
 * When a candidate may replace the champion.
 *
 * @param metric    the metric compared
 * @param tolerance how much worse than the champion the candidate may be, 0..1
 * @param force     promote whatever the metrics say
 */
public record GatePolicy(Metrics.GateMetric metric, double tolerance, boolean force) {

    public GatePolicy {
        if (metric == null) {
            throw new IllegalArgumentException("gate metric is required");
        }
        if (!(tolerance >= 0 && tolerance <= 1)) {
            throw new IllegalArgumentException("tolerance must be within [0, 1], got " + tolerance);
        }
    }
}
