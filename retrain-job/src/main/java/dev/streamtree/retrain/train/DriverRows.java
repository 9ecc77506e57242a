package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.model.pipeline.DriverTreeTrainer;
import dev.streamtree.model.pipeline.FeaturePipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.XXH64;
import org.apache.spark.unsafe.types.UTF8String;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A quick retrain's labelled rows, collected once and encoded on the driver: the feature vector the pipeline's feature
 * stages would assemble, the label index, the event time and the id. Splits, folds, class counts, fits and scoring
 * then run in the driver's heap without a Spark job each; the rules are those of {@link TrainingData}, {@link Folds}
 * and {@link Evaluation}, applied to an array instead of a Dataset.
 */
public final class DriverRows {

    private final double[][] features;
    private final int[] labels;
    private final long[] eventMicros;
    private final String[] ids;

    private DriverRows(double[][] features, int[] labels, long[] eventMicros, String[] ids) {
        this.features = features;
        this.labels = labels;
        this.eventMicros = eventMicros;
        this.ids = ids;
    }

    /**
     * Encodes rows of {@link TrainingData#labelled} (the schema's columns and {@link FeaturePipeline#LABEL_INDEX}) as
     * the feature stages do: a numeric feature as is, a categorical one as its value's position in the schema (an
     * unknown value or null as one past the last).
     */
    public static DriverRows of(List<Row> rows, EventSchema schema) {
        int n = rows.size();
        List<Feature> schemaFeatures = schema.features();
        double[][] features = new double[n][schemaFeatures.size()];
        int[] labels = new int[n];
        long[] times = new long[n];
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            for (int f = 0; f < schemaFeatures.size(); f++) {
                Feature feature = schemaFeatures.get(f);
                Object value = row.getAs(feature.name());
                if (feature.isNumeric()) {
                    if (!(value instanceof Number number)) {
                        throw new IllegalArgumentException("row " + row.getAs(schema.idField()) + " has no number in "
                                + feature.name() + ": " + value);
                    }
                    features[i][f] = number.doubleValue();
                } else {
                    int index = value == null ? -1 : feature.values().indexOf(value.toString());
                    features[i][f] = index < 0 ? feature.values().size() : index;
                }
            }
            labels[i] = (int) ((Number) row.getAs(FeaturePipeline.LABEL_INDEX)).doubleValue();
            times[i] = micros(row.getAs(schema.eventTimeField()));
            ids[i] = String.valueOf((Object) row.getAs(schema.idField()));
        }
        return new DriverRows(features, labels, times, ids);
    }

    private static long micros(Object time) {
        if (time instanceof Timestamp ts) {
            return Math.floorDiv(ts.getTime(), 1000L) * 1_000_000L + ts.getNanos() / 1000;
        }
        if (time instanceof Instant instant) {
            return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1000;
        }
        throw new IllegalArgumentException("event time is not a timestamp: " + time);
    }

    public int size() {
        return labels.length;
    }

    /**
     * Splits by event time as {@link TrainingData#splitByTime} does: the rows up to the {@code 1 - laterFraction}
     * quantile of the event times are the earlier part (here the exact quantile, there an approximate one).
     */
    public DriverRows[] splitByTime(double laterFraction) {
        if (!(laterFraction > 0 && laterFraction < 1)) {
            throw new IllegalArgumentException("split fraction must be between 0 and 1, got " + laterFraction);
        }
        if (size() == 0) {
            throw new IllegalArgumentException("cannot split an empty data set by event time");
        }
        long[] sorted = eventMicros.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil((1 - laterFraction) * sorted.length);
        long cut = sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        boolean[] earlier = new boolean[size()];
        for (int i = 0; i < size(); i++) {
            earlier[i] = eventMicros[i] <= cut;
        }
        return new DriverRows[] {select(earlier, true), select(earlier, false)};
    }

    private DriverRows select(boolean[] mask, boolean keep) {
        int n = 0;
        for (boolean m : mask) {
            if (m == keep) {
                n++;
            }
        }
        double[][] x = new double[n][];
        int[] y = new int[n];
        long[] t = new long[n];
        String[] id = new String[n];
        for (int i = 0, j = 0; i < mask.length; i++) {
            if (mask[i] == keep) {
                x[j] = features[i];
                y[j] = labels[i];
                t[j] = eventMicros[i];
                id[j] = ids[i];
                j++;
            }
        }
        return new DriverRows(x, y, t, id);
    }

    /** Each row's fold, 0..k-1, the one {@link Folds#fold} gives it: Spark's xxHash64 of the id (seed 42), modulo k. */
    public int[] folds(int k) {
        if (k < 2) {
            throw new IllegalArgumentException("cross-validation needs at least 2 folds, got " + k);
        }
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) {
            long hash = XXH64.hashUTF8String(UTF8String.fromString(ids[i]), 42L);
            out[i] = (int) Math.floorMod(hash, (long) k);
        }
        return out;
    }

    /** Rows per label class, in schema class order (classes with no rows appear with 0). */
    public Map<String, Long> classCounts(EventSchema schema) {
        List<String> classes = schema.labelSpec().orElseThrow().classes();
        long[] counts = new long[classes.size()];
        for (int label : labels) {
            counts[label]++;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            out.put(classes.get(c), counts[c]);
        }
        return out;
    }

    /** The rows for {@link DriverTreeTrainer}, weighted by class when {@code classWeights} is not null. */
    public DriverTreeTrainer.Rows trainerRows(Map<Integer, Double> classWeights) {
        double[] weights = null;
        if (classWeights != null) {
            weights = new double[size()];
            for (int i = 0; i < weights.length; i++) {
                weights[i] = classWeights.getOrDefault(labels[i], 1.0);
            }
        }
        return new DriverTreeTrainer.Rows(features, labels, weights);
    }

    /** The feature vectors, for scoring. */
    public Vector[] vectors() {
        Vector[] out = new Vector[size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Vectors.dense(features[i]);
        }
        return out;
    }

    public int[] labels() {
        return labels.clone();
    }

    /**
     * Scores a model of this schema's pipeline on these rows as {@link Evaluation#evaluateOnDriver} does: its tree's
     * prediction and the positive class's probability, from the same feature vector its feature stages would build.
     */
    public Metrics evaluate(PipelineModel model, int classes) {
        if (size() == 0) {
            throw new IllegalArgumentException("cannot evaluate a model on no rows");
        }
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
        int[] predicted = new int[size()];
        double[] positive = new double[size()];
        for (int i = 0; i < size(); i++) {
            Vector v = Vectors.dense(features[i]);
            predicted[i] = (int) tree.predict(v);
            Vector p = tree.predictProbability(v);
            positive[i] = p.size() > 1 ? p.apply(1) : 0;
        }
        return Metrics.of(labels, predicted, positive, classes);
    }
}
