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

    /**
     * Metrics computed on the driver, with the definitions of Spark's evaluators: accuracy, F1 per class weighted by
     * the class's share of the labels (0 for a class never predicted right), and for two classes the area under the
     * ROC curve of {@code positiveScores} (ties count half).
     *
     * @param labels         true class index per row
     * @param predicted      predicted class index per row
     * @param positiveScores score of class 1 per row (used only when {@code classes == 2})
     * @param classes        number of classes
     */
    public static Metrics of(int[] labels, int[] predicted, double[] positiveScores, int classes) {
        int n = labels.length;
        if (predicted.length != n || positiveScores.length != n) {
            throw new IllegalArgumentException("labels, predictions and scores differ in length");
        }
        if (n == 0) {
            throw new IllegalArgumentException("no rows to compute metrics on");
        }
        long[] truePositive = new long[classes];
        long[] actual = new long[classes];
        long[] predictedCount = new long[classes];
        long right = 0;
        for (int i = 0; i < n; i++) {
            actual[labels[i]]++;
            predictedCount[predicted[i]]++;
            if (labels[i] == predicted[i]) {
                right++;
                truePositive[labels[i]]++;
            }
        }
        double f1 = 0;
        for (int c = 0; c < classes; c++) {
            if (truePositive[c] > 0) {
                double precision = (double) truePositive[c] / predictedCount[c];
                double recall = (double) truePositive[c] / actual[c];
                f1 += (double) actual[c] / n * 2 * precision * recall / (precision + recall);
            }
        }
        double auc = classes == 2 ? auc(labels, positiveScores) : Double.NaN;
        return new Metrics((double) right / n, f1, auc, n);
    }

    /** Mann-Whitney: the share of (positive, negative) pairs the score orders right, ties counting half. */
    private static double auc(int[] labels, double[] scores) {
        Integer[] order = new Integer[labels.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int r = i; r <= j; r++) {
                if (labels[order[r]] == 1) {
                    rankSumPositive += averageRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = labels.length - positives;
        if (positives == 0 || negatives == 0) {
            return Double.NaN;
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
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
