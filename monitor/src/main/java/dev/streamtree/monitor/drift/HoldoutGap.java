package dev.streamtree.monitor.drift;

/**
 * Tells a version that is wrong from its first prediction: one trained across a change (a first model whose rows
 * straddle a drift, a timer retrain that started just after one) has a high error rate from the start, which a
 * detector of changes within its own error stream cannot see. This check compares the version's error over its
 * first labelled predictions with the error its own holdout promised.
 *
 * <p>It fires when the live error exceeds the holdout error by more than a one-sided Hoeffding bound for the
 * difference of two independent means of 0/1 values: {@code sqrt(ln(1/delta) / 2 * (1/holdoutRows + 1/labelled))}.
 * It looks only at a version's first {@code maxLabelled} labelled predictions, from {@code minLabelled} on: a
 * version that degrades later is the change detector's case, and its change point is not the version's start.
 *
 * @param minLabelled fewest labelled predictions before it may fire
 * @param maxLabelled the version's first predictions it looks at; later ones are not checked
 * @param delta       the bound's confidence parameter, per check
 */
public record HoldoutGap(int minLabelled, int maxLabelled, double delta) {

    /** The name published with its detections. */
    public static final String NAME = "holdout-gap";

    public HoldoutGap {
        if (minLabelled < 1 || maxLabelled < minLabelled) {
            throw new IllegalArgumentException("holdout gap needs 1 <= min labelled <= max labelled, got " + minLabelled
                    + " and " + maxLabelled);
        }
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("holdout gap delta must be in (0, 1), got " + delta);
        }
    }

    /**
     * 200 to 1,000 labelled predictions, delta 1e-4: a gap of 0.27 is needed at 200 predictions against a 100-row
     * holdout, 0.17 against a 1,800-row one; a version trained across a drift of the Agrawal stream errs on about
     * half its predictions against a holdout error of 0.05-0.2.
     */
    public static HoldoutGap defaults() {
        return new HoldoutGap(200, 1000, 1e-4);
    }

    /** The largest gap between live and holdout error that chance explains at {@code delta}. */
    public double bound(long holdoutRows, long labelled) {
        if (holdoutRows < 1 || labelled < 1) {
            throw new IllegalArgumentException("bound needs rows on both sides, got holdout " + holdoutRows
                    + " and labelled " + labelled);
        }
        return Math.sqrt(Math.log(1 / delta) / 2 * (1.0 / holdoutRows + 1.0 / labelled));
    }

    /**
     * @param holdoutError the version's error on its holdout
     * @param holdoutRows  the holdout's rows
     * @param errors       wrong predictions among the version's first {@code labelled} labelled ones
     * @return whether the version errs more than its holdout promised, beyond chance
     */
    public boolean exceeded(double holdoutError, long holdoutRows, long errors, long labelled) {
        if (labelled < minLabelled || labelled > maxLabelled) {
            return false;
        }
        return (double) errors / labelled - holdoutError > bound(holdoutRows, labelled);
    }
}
