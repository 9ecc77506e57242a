package dev.streamtree.retrain;

import dev.streamtree.common.config.JobDefaults;

import dev.streamtree.retrain.gate.GatePolicy;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.TrainingWindow;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything one retrain needs, validated on construction.
 *
 * @param schemaLocation     schema file or {@code builtin:NAME}
 * @param lake               lake table location (Hadoop URI)
 * @param registry           model registry root (Hadoop URI)
 * @param catalog            {@code local} or {@code glue}
 * @param database           catalog database
 * @param table              catalog table
 * @param glueRegion         AWS region of the Glue catalog, or null for the SDK default
 * @param window             which labelled events to read
 * @param holdoutFraction    latest share of rows (by event time) kept for the holdout, in (0, 0.5]
 * @param validationFraction latest share of the remaining rows used to choose hyperparameters, in (0, 0.5]
 * @param minRows            refuse to train on fewer labelled rows than this
 * @param gate               the promotion rule
 * @param grid               hyperparameter candidates
 * @param imbalanceRatio     use class weights when the rarest class has fewer than this share of the
 *                           commonest class's rows
 */
public record RetrainConfig(
        String schemaLocation,
        String lake,
        String registry,
        String catalog,
        String database,
        String table,
        String glueRegion,
        TrainingWindow window,
        double holdoutFraction,
        double validationFraction,
        long minRows,
        GatePolicy gate,
        SearchGrid grid,
        double imbalanceRatio) {

    public static final String DEFAULT_SCHEMA = JobDefaults.SCHEMA;
    public static final String DEFAULT_LAKE = JobDefaults.LAKE;
    public static final String DEFAULT_REGISTRY = JobDefaults.REGISTRY;
    public static final String DEFAULT_CATALOG = JobDefaults.CATALOG;
    public static final String DEFAULT_DATABASE = JobDefaults.DATABASE;
    public static final String DEFAULT_TABLE = JobDefaults.TABLE;
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(7);
    public static final double DEFAULT_HOLDOUT_FRACTION = 0.2;
    public static final double DEFAULT_VALIDATION_FRACTION = 0.2;
    public static final long DEFAULT_MIN_ROWS = 500;
    public static final double DEFAULT_TOLERANCE = 0.01;
    public static final double DEFAULT_IMBALANCE_RATIO = 0.5;

    public RetrainConfig {
        requireText(schemaLocation, "schema");
        requireText(lake, "lake");
        requireText(registry, "registry");
        if (!"local".equals(catalog) && !"glue".equals(catalog)) {
            throw new IllegalArgumentException("catalog must be local or glue, got '" + catalog + "'");
        }
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
        if (!(imbalanceRatio >= 0 && imbalanceRatio <= 1)) {
            throw new IllegalArgumentException("imbalance ratio must be within [0, 1], got " + imbalanceRatio);
        }
    }

    /** The defaults above with the given lake and registry. */
    public static RetrainConfig defaults(String lake, String registry) {
        return new RetrainConfig(DEFAULT_SCHEMA, lake, registry, DEFAULT_CATALOG, DEFAULT_DATABASE, DEFAULT_TABLE, null,
                TrainingWindow.last(DEFAULT_WINDOW), DEFAULT_HOLDOUT_FRACTION, DEFAULT_VALIDATION_FRACTION, DEFAULT_MIN_ROWS,
                new GatePolicy(dev.streamtree.retrain.train.Metrics.GateMetric.ACCURACY, DEFAULT_TOLERANCE, false),
                SearchGrid.defaults(), DEFAULT_IMBALANCE_RATIO);
    }

    public RetrainConfig withWindow(TrainingWindow newWindow) {
        return new RetrainConfig(schemaLocation, lake, registry, catalog, database, table, glueRegion, newWindow,
                holdoutFraction, validationFraction, minRows, gate, grid, imbalanceRatio);
    }

    public RetrainConfig withGate(GatePolicy newGate) {
        return new RetrainConfig(schemaLocation, lake, registry, catalog, database, table, glueRegion, window,
                holdoutFraction, validationFraction, minRows, newGate, grid, imbalanceRatio);
    }

    public RetrainConfig withGrid(SearchGrid newGrid) {
        return new RetrainConfig(schemaLocation, lake, registry, catalog, database, table, glueRegion, window,
                holdoutFraction, validationFraction, minRows, gate, newGrid, imbalanceRatio);
    }

    public RetrainConfig withMinRows(long newMinRows) {
        return new RetrainConfig(schemaLocation, lake, registry, catalog, database, table, glueRegion, window,
                holdoutFraction, validationFraction, newMinRows, gate, grid, imbalanceRatio);
    }

    /** The same configuration with {@code force} set, for a forced request. */
    public RetrainConfig forced() {
        return withGate(new GatePolicy(gate.metric(), gate.tolerance(), true));
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
    }
}
