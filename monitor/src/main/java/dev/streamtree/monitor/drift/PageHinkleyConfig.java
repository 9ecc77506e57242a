package dev.streamtree.monitor.drift;

/**
 * Parameters of {@link PageHinkley}.
 *
 * @param delta    magnitude of change tolerated: each item adds {@code x - mean - delta} to the statistic
 * @param lambda   alarm threshold on the statistic; larger means fewer false alarms and slower detection
 * @param alpha    forgetting factor applied to the statistic before each item (1 = no forgetting)
 * @param minItems no alarm before this many items since the last reset
 */
public record PageHinkleyConfig(double delta, double lambda, double alpha, int minItems) {

    public PageHinkleyConfig {
        if (!(delta >= 0) || !Double.isFinite(delta)) {
            throw new IllegalArgumentException("Page-Hinkley delta must be a finite value >= 0, got " + delta);
        }
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("Page-Hinkley lambda must be a finite value > 0, got " + lambda);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("Page-Hinkley alpha must lie in (0, 1], got " + alpha);
        }
        if (minItems < 1) {
            throw new IllegalArgumentException("Page-Hinkley minimum items must be at least 1, got " + minItems);
        }
    }

    /** delta 0.005, lambda 50, alpha 1 - 1e-4, at least 30 items: the values commonly used with MOA. */
    public static PageHinkleyConfig defaults() {
        return new PageHinkleyConfig(0.005, 50, 1 - 1e-4, 30);
    }
}
