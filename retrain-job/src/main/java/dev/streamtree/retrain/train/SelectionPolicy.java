package dev.streamtree.retrain.train;

/**
 * How a retrain chooses tree parameters from its training rows.
 *
 * <p>Below {@code crossValidationBelowRows} training rows every grid point is scored by {@code folds}-fold
 * cross-validation over all training rows (folds by {@link Folds}): a time-ordered validation slice of a few
 * hundred rows is too noisy to rank trees that differ by a point or two. From that size on the latest
 * {@code validationFraction} of the training rows (by event time) is the validation slice, which is cheaper (one fit
 * per grid point) and, on a large window, favours the parameters that suit the most recent rows.
 *
 * @param grid                     candidate parameters
 * @param metric                   what ranks them (the gate's metric)
 * @param crossValidationBelowRows training row count below which cross-validation is used
 * @param folds                    k of the cross-validation, 2..20
 * @param validationFraction       latest share of the training rows held out as the validation slice, in (0, 0.5]
 */
public record SelectionPolicy(SearchGrid grid, Metrics.GateMetric metric, long crossValidationBelowRows, int folds,
                              double validationFraction) {

    /** 20,000 rows: a drift retrain's few thousand rows are cross-validated; a full window uses the slice. */
    public static final long DEFAULT_CROSS_VALIDATION_BELOW_ROWS = 20_000;
    public static final int DEFAULT_FOLDS = 5;

    public SelectionPolicy {
        if (grid == null || metric == null) {
            throw new IllegalArgumentException("a selection policy needs a grid and a metric");
        }
        if (crossValidationBelowRows < 0) {
            throw new IllegalArgumentException("--cross-validation-below must be at least 0, got " + crossValidationBelowRows);
        }
        if (folds < 2 || folds > 20) {
            throw new IllegalArgumentException("--folds must be 2..20, got " + folds);
        }
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5], got " + validationFraction);
        }
    }

    /** Whether {@code trainingRows} rows are cross-validated rather than split. */
    public boolean crossValidates(long trainingRows) {
        return trainingRows < crossValidationBelowRows;
    }
}
