package dev.streamtree.common.registry;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What {@code metadata.json} records about a version.
 *
 * @param createdAt          when it was trained
 * @param schemaFingerprint  {@code EventSchema.fingerprint()} of the schema it was trained on
 * @param features           feature columns, in model order
 * @param classes            label classes, in model index order
 * @param trainingWindow     human-readable description of the data window (e.g. "last 24h", "last 100000 rows")
 * @param trainingRows       rows used for fitting
 * @param holdoutRows        rows in the holdout
 * @param classBalance       rows per class in the training data
 * @param hyperparameters    the chosen hyperparameters
 * @param metrics            the candidate's metrics on the holdout
 * @param championMetrics    the champion's metrics on the same holdout (empty when there was none)
 * @param championVersion    the champion it was compared with, or null
 * @param sparkVersion       Spark version that trained it
 * @param streamtreeVersion  streamtree version that trained it
 * @param trainingReason     why it was trained ({@code timer}, {@code request}, {@code bootstrap}, {@code drift}), or
 *                           null when not recorded
 * @param changePoint        for a drift retrain, the change point its data starts at (no row before it), else null
 * @param lakeSnapshotId     the lake table snapshot it was read from (readable again with {@code VERSION AS OF}
 *                           until it expires), or null
 */
public record ModelMetadata(
        Instant createdAt,
        String schemaFingerprint,
        List<String> features,
        List<String> classes,
        String trainingWindow,
        long trainingRows,
        long holdoutRows,
        Map<String, Long> classBalance,
        Map<String, String> hyperparameters,
        Map<String, Double> metrics,
        Map<String, Double> championMetrics,
        String championVersion,
        String sparkVersion,
        String streamtreeVersion,
        String trainingReason,
        Instant changePoint,
        Long lakeSnapshotId) {

    /** Metadata without training provenance (reason, change point, lake snapshot). */
    public ModelMetadata(Instant createdAt, String schemaFingerprint, List<String> features, List<String> classes,
                         String trainingWindow, long trainingRows, long holdoutRows, Map<String, Long> classBalance,
                         Map<String, String> hyperparameters, Map<String, Double> metrics,
                         Map<String, Double> championMetrics, String championVersion, String sparkVersion,
                         String streamtreeVersion) {
        this(createdAt, schemaFingerprint, features, classes, trainingWindow, trainingRows, holdoutRows, classBalance,
                hyperparameters, metrics, championMetrics, championVersion, sparkVersion, streamtreeVersion, null, null,
                null);
    }

    /** A copy with the training provenance set. */
    public ModelMetadata withProvenance(String reason, Instant changePointOrNull, Long lakeSnapshotIdOrNull) {
        return new ModelMetadata(createdAt, schemaFingerprint, features, classes, trainingWindow, trainingRows,
                holdoutRows, classBalance, hyperparameters, metrics, championMetrics, championVersion, sparkVersion,
                streamtreeVersion, reason, changePointOrNull, lakeSnapshotIdOrNull);
    }

    public ModelMetadata {
        features = List.copyOf(features);
        classes = List.copyOf(classes);
        classBalance = Map.copyOf(classBalance == null ? Map.of() : classBalance);
        hyperparameters = Map.copyOf(hyperparameters == null ? Map.of() : hyperparameters);
        metrics = Map.copyOf(metrics == null ? Map.of() : metrics);
        championMetrics = Map.copyOf(championMetrics == null ? Map.of() : championMetrics);
    }
}
