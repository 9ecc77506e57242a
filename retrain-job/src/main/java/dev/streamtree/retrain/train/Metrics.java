package dev.streamtree.retrain.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Holdout metrics of one model.
 *
 * @param accuracy   share of rows predicted right
 * @param weightedF1 F1 per class weighted by class frequency
 * @param auc        area under the ROC curve (binary labels only), or NaN
 * @param rows       rows evaluated
 */
public record Metrics(double accuracy, double weightedF1, double auc, long rows) {

    public static final String ACCURACY = "accuracy";
    public static final String WEIGHTED_F1 = "weighted_f1";
    public static final String AUC = "auc";

    public OptionalDouble aucIfBinary() {
        return Double.isNaN(auc) ? OptionalDouble.empty() : OptionalDouble.of(auc);
    }

    /** The metric a gate or a search compares on. */
    public double value(GateMetric metric) {
        return switch (metric) {
            case ACCURACY -> accuracy;
            case WEIGHTED_F1 -> weightedF1;
            case AUC -> Double.isNaN(auc) ? accuracy : auc;
        };
    }

    /** The form stored in model metadata. */
    public Map<String, Double> asMap() {
        Map<String, Double> map = new LinkedHashMap<>();
        map.put(ACCURACY, accuracy);
        map.put(WEIGHTED_F1, weightedF1);
        if (!Double.isNaN(auc)) {
            map.put(AUC, auc);
        }
        return map;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "accuracy %.4f, weighted F1 %.4f%s (%d rows)", accuracy, weightedF1,
                Double.isNaN(auc) ? "" : String.format(Locale.ROOT, ", AUC %.4f", auc), rows);
    }

    /** Which metric decides. */
    public enum GateMetric {
        ACCURACY, WEIGHTED_F1, AUC;

        /**
         * @throws IllegalArgumentException naming the text when it is not a metric
         */
        public static GateMetric parse(String text) {
            String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
            return switch (t) {
                case "accuracy" -> ACCURACY;
                case "f1", "weighted_f1" -> WEIGHTED_F1;
                case "auc" -> AUC;
                default -> throw new IllegalArgumentException("'" + text + "' is not a gate metric (accuracy, f1, auc)");
            };
        }
    }
}
