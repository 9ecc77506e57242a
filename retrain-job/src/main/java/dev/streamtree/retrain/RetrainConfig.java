package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.config.JobConfigBuilder;
import dev.streamtree.retrain.gate.GatePolicy;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.SelectionPolicy;
import dev.streamtree.retrain.train.TrainingWindow;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything one retrain needs, validated on construction. Build it with {@link #builder()} (every value starts at
 * its default) or change one with {@link #toBuilder()}.
 *
 * @param schemaLocation     schema file or {@code builtin:NAME}
 * @param lake               lake table location (Hadoop URI)
 * @param registry           model registry root (Hadoop URI)
 * @param catalog            where the lake table is registered
 * @param database           catalog database
 * @param table              catalog table
 * @param glueRegion         AWS region of the Glue catalog; required for {@link CatalogKind#GLUE}, else null
 * @param window             which labelled events to read
 * @param holdoutFraction    latest share of rows (by event time) kept for the holdout, in (0, 0.5]
 * @param validationFraction latest share of the remaining rows used to choose hyperparameters, in (0, 0.5]
 * @param minRows            refuse to train on fewer labelled rows than this
 * @param gate               the promotion rule
 * @param grid               hyperparameter candidates
 * @param crossValidationBelowRows below this many training rows parameters are chosen by cross-validation
 *                           instead of on the validation slice (0: never)
 * @param folds              folds of that cross-validation
 * @param imbalanceRatio     use class weights when the rarest class has fewer than this share of the
 *                           commonest class's rows
 * @param driverRows         a window of at most this many labelled rows is collected to the driver and trained there
 *                           without Spark jobs ({@code --driver-rows}; 0: always through Spark)
 */
public record RetrainConfig(
        String schemaLocation,
        String lake,
        String registry,
        CatalogKind catalog,
        String database,
        String table,
        String glueRegion,
        TrainingWindow window,
        double holdoutFraction,
        double validationFraction,
        long minRows,
        GatePolicy gate,
        SearchGrid grid,
        long crossValidationBelowRows,
        int folds,
        double imbalanceRatio,
        long driverRows) {

    public static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
    public static final double DEFAULT_HOLDOUT_FRACTION = 0.2;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final long DEFAULT_MIN_ROWS = 500;
    public static final double DEFAULT_TOLERANCE = 0.01;
    public static final double DEFAULT_IMBALANCE_RATIO = 0.5;
    /**
     * 200,000 rows: a few tens of MB of encoded rows in the driver's heap, and 15 fits there in seconds; Spark's trainer
     * spends more than that on job scheduling below it (docs/retrain.md).
     */
    public static final long DEFAULT_DRIVER_ROWS = 200_000;

    public RetrainConfig {
        requireText(schemaLocation, "schema");
        requireText(lake, "lake");
        requireText(registry, "registry");
        Objects.requireNonNull(catalog, "catalog kind");
        catalog.requireRegion(glueRegion);
        requireText(database, "database");
        requireText(table, "table");
        Objects.requireNonNull(window, "training window");
        if (!(holdoutFraction > 0 && holdoutFraction <= 0.5)) {
            throw new IllegalArgumentException("holdout fraction must be in (0, 0.5], got " + holdoutFraction);
        }
        if (!(validationFraction > 0 && validationFraction <= 0.5)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 0.5], got " + validationFraction);
        }
        if (minRows < 10) {
            throw new IllegalArgumentException("--min-rows must be at least 10, got " + minRows);
        }
        Objects.requireNonNull(gate, "gate policy");
        Objects.requireNonNull(grid, "search grid");
        new SelectionPolicy(grid, gate.metric(), crossValidationBelowRows, folds, validationFraction);
        if (!(imbalanceRatio >= 0 && imbalanceRatio <= 1)) {
            throw new IllegalArgumentException("imbalance ratio must be within [0, 1], got " + imbalanceRatio);
        }
        if (driverRows < 0) {
            throw new IllegalArgumentException("--driver-rows must be at least 0, got " + driverRows);
        }
    }

    /** How this retrain chooses its tree parameters. */
    public SelectionPolicy selection() {
        return new SelectionPolicy(grid, gate.metric(), crossValidationBelowRows, folds, validationFraction);
    }

    /** A builder whose every value is its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults above with the given lake and registry. */
    public static RetrainConfig defaults(String lake, String registry) {
        return builder().lake(lake).registry(registry).build();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        return new Builder().schemaLocation(schemaLocation).lake(lake).registry(registry)
                .catalog(catalog, database, table, glueRegion).window(window).holdoutFraction(holdoutFraction)
                .validationFraction(validationFraction).minRows(minRows).gate(gate).grid(grid)
                .crossValidationBelowRows(crossValidationBelowRows).folds(folds).imbalanceRatio(imbalanceRatio)
                .driverRows(driverRows);
    }

    /** The same configuration with {@code force} set, for a forced request. */
    public RetrainConfig forced() {
        return toBuilder().gate(new GatePolicy(gate.metric(), gate.tolerance(), true)).build();
    }

    /** Named values for a {@link RetrainConfig}; {@link #build()} validates them. */
    public static final class Builder extends JobConfigBuilder<Builder> {

        private TrainingWindow window = TrainingWindow.last(DEFAULT_WINDOW);
        private double holdoutFraction = DEFAULT_HOLDOUT_FRACTION;
        private double validationFraction = DEFAULT_VALIDATION_FRACTION;
        private long minRows = DEFAULT_MIN_ROWS;
        private GatePolicy gate = new GatePolicy(Metrics.GateMetric.ACCURACY, DEFAULT_TOLERANCE, false);
        private SearchGrid grid = SearchGrid.defaults();
        private long crossValidationBelowRows = SelectionPolicy.DEFAULT_CROSS_VALIDATION_BELOW_ROWS;
        private int folds = SelectionPolicy.DEFAULT_FOLDS;
        private double imbalanceRatio = DEFAULT_IMBALANCE_RATIO;
        private long driverRows = DEFAULT_DRIVER_ROWS;

        private Builder() {
        }

        public Builder driverRows(long value) {
            driverRows = value;
            return this;
        }

        public Builder window(TrainingWindow value) {
            window = value;
            return this;
        }

        public Builder holdoutFraction(double value) {
            holdoutFraction = value;
            return this;
        }

        public Builder validationFraction(double value) {
            validationFraction = value;
            return this;
        }

        public Builder minRows(long value) {
            minRows = value;
            return this;
        }

        public Builder gate(GatePolicy value) {
            gate = value;
            return this;
        }

        public Builder grid(SearchGrid value) {
            grid = value;
            return this;
        }

        public Builder crossValidationBelowRows(long value) {
            crossValidationBelowRows = value;
            return this;
        }

        public Builder folds(int value) {
            folds = value;
            return this;
        }

        public Builder imbalanceRatio(double value) {
            imbalanceRatio = value;
            return this;
        }

        @Override
        protected Builder self() {
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad value */
        public RetrainConfig build() {
            return new RetrainConfig(schemaLocation, lake, registry, catalog, database, table, glueRegion, window,
                    holdoutFraction, validationFraction, minRows, gate, grid, crossValidationBelowRows, folds, imbalanceRatio,
                    driverRows);
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }
}
