package dev.streamtree.model.score;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.model.pipeline.FeaturePipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.tree.LeafNode;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry model in the form the streaming job scores with: the fitted tree of a {@link FeaturePipeline} model
 * plus the pipeline's feature encoding, applied to one event at a time in plain Java. Scoring a row gives exactly
 * what {@code PipelineModel.transform} gives (the same feature vector, {@code probability} from the tree, and
 * {@code prediction} as the index of the highest probability, first on ties), without the pipeline's per-stage
 * projections and vector conversions: one pass over a micro-batch instead of four.
 *
 * <p>Only models whose feature stages are the ones {@link FeaturePipeline#featureStages} derives from the job's
 * schema can be compiled; {@link #compile} names the first difference otherwise. Serializable: shipped to the
 * executors with the scoring task.
 */
public final class TreeScorer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DecisionTreeClassificationModel tree;
    private final List<String> classes;
    private final String[] featureNames;
    /** Per feature: null for a numeric one, else category value to index (unknown values get the map's size). */
    private final List<Map<String, Double>> categories;
    /** {@link #score} by leaf (Spark's nodes compare by identity); made again after deserialization. */
    private transient volatile Map<LeafNode, Score> leaves;

    private TreeScorer(DecisionTreeClassificationModel tree, List<String> classes, EventSchema schema) {
        this.tree = tree;
        this.classes = List.copyOf(classes);
        this.featureNames = schema.features().stream().map(Feature::name).toArray(String[]::new);
        this.categories = new ArrayList<>();
        for (Feature feature : schema.features()) {
            if (feature.isNumeric()) {
                categories.add(null);
            } else {
                Map<String, Double> index = new HashMap<>();
                for (int i = 0; i < feature.values().size(); i++) {
                    index.put(feature.values().get(i), (double) i);
                }
                categories.add(index);
            }
        }
    }

    /**
     * Compiles a pipeline model built by {@link FeaturePipeline} for {@code schema}.
     *
     * @param classes the model's classes in index order (its metadata's)
     * @throws IllegalArgumentException naming how the model differs from what the schema's pipeline would be
     */
    public static TreeScorer compile(PipelineModel model, EventSchema schema, List<String> classes) {
        Optional<String> problem = difference(model, schema, classes);
        if (problem.isPresent()) {
            throw new IllegalArgumentException(problem.get());
        }
        return new TreeScorer(FeaturePipeline.tree(model), classes, schema);
    }

    /** The tree, for rendering decision paths. */
    public DecisionTreeClassificationModel tree() {
        return tree;
    }

    /** The classes, in index order. */
    public List<String> classes() {
        return classes;
    }

    /** Names of the features, in vector order. */
    public List<String> featureNames() {
        return List.of(featureNames);
    }

    /**
     * The feature vector the pipeline would assemble.
     *
     * @param values one value per feature in schema order: a Double (null or NaN kept as NaN) or a String
     *               category (null or unknown get the extra "unknown" index)
     */
    public Vector features(Object[] values) {
        double[] vector = new double[featureNames.length];
        for (int i = 0; i < vector.length; i++) {
            Map<String, Double> index = categories.get(i);
            Object value = values[i];
            if (index == null) {
                vector[i] = value == null ? Double.NaN : ((Number) value).doubleValue();
            } else {
                Double position = value == null ? null : index.get(value.toString());
                vector[i] = position == null ? index.size() : position;
            }
        }
        return new DenseVector(vector);
    }

    /** Class probabilities for a feature vector, in class order. */
    public double[] probabilities(Vector features) {
        return tree.predictProbability(features).toArray();
    }

    /** The prediction at one leaf of the tree, the same for every event that reaches it. */
    public record Score(String predictedClass, Map<String, Double> probabilities) {
    }

    /**
     * The predicted class and each class's probability (an unmodifiable map in class order) for a feature vector:
     * {@link #probabilities} and {@link #predictedIndex}, worked out once per leaf of the tree and kept (building the
     * map per event was a tenth of scoring one).
     */
    public Score score(Vector features) {
        LeafNode leaf = tree.rootNode().predictImpl(features);
        Map<LeafNode, Score> known = leaves;
        if (known == null) {
            known = new ConcurrentHashMap<>();
            leaves = known;
        }
        return known.computeIfAbsent(leaf, l -> {
            double[] probabilities = probabilities(features);
            Map<String, Double> byClass = new LinkedHashMap<>();
            for (int i = 0; i < probabilities.length; i++) {
                byClass.put(classes.get(i), probabilities[i]);
            }
            return new Score(classes.get(predictedIndex(probabilities)), Collections.unmodifiableMap(byClass));
        });
    }

    /** The predicted class index: the highest probability, the first of equal ones (Spark's argmax). */
    public static int predictedIndex(double[] probabilities) {
        int best = 0;
        for (int i = 1; i < probabilities.length; i++) {
            if (probabilities[i] > probabilities[best]) {
                best = i;
            }
        }
        return best;
    }

    private static Optional<String> difference(PipelineModel model, EventSchema schema, List<String> classes) {
        List<Transformer> expected = FeaturePipeline.featureStages(schema);
        Transformer[] stages = model.stages();
        if (stages.length != expected.size() + 1) {
            return Optional.of("model has " + stages.length + " stages; a model of schema '" + schema.name()
                    + "' has " + (expected.size() + 1) + " (feature encoding, then the tree)");
        }
        if (!(stages[stages.length - 1] instanceof DecisionTreeClassificationModel tree)) {
            return Optional.of("model does not end in a decision tree but in "
                    + stages[stages.length - 1].getClass().getSimpleName());
        }
        if (tree.numFeatures() != schema.features().size()) {
            return Optional.of("model's tree reads " + tree.numFeatures() + " features; the schema has "
                    + schema.features().size());
        }
        if (tree.numClasses() != classes.size()) {
            return Optional.of("model's tree has " + tree.numClasses() + " classes; its metadata lists "
                    + classes.size() + " " + classes);
        }
        if (tree.isDefined(tree.thresholds())) {
            return Optional.of("model's tree sets class thresholds, which streamtree models never do");
        }
        for (int i = 0; i < expected.size(); i++) {
            Optional<String> stage = stageDifference(stages[i], expected.get(i));
            if (stage.isPresent()) {
                return Optional.of("model stage " + (i + 1) + " differs from the schema's feature encoding: "
                        + stage.get());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> stageDifference(Transformer actual, Transformer expected) {
        if (expected instanceof StringIndexerModel want) {
            if (!(actual instanceof StringIndexerModel got)) {
                return Optional.of("expected a string indexer, found " + actual.getClass().getSimpleName());
            }
            if (!got.getInputCol().equals(want.getInputCol()) || !got.getOutputCol().equals(want.getOutputCol())
                    || !Arrays.deepEquals(got.labelsArray(), want.labelsArray())
                    || !got.getHandleInvalid().equals(want.getHandleInvalid())) {
                return Optional.of("indexer of " + got.getInputCol() + " has labels "
                        + Arrays.deepToString(got.labelsArray()) + " (handleInvalid " + got.getHandleInvalid()
                        + "), the schema gives " + Arrays.deepToString(want.labelsArray()) + " on "
                        + want.getInputCol());
            }
            return Optional.empty();
        }
        VectorAssembler want = (VectorAssembler) expected;
        if (!(actual instanceof VectorAssembler got)) {
            return Optional.of("expected a vector assembler, found " + actual.getClass().getSimpleName());
        }
        if (!Arrays.equals(got.getInputCols(), want.getInputCols())
                || !got.getOutputCol().equals(want.getOutputCol())) {
            return Optional.of("assembler reads " + Arrays.toString(got.getInputCols()) + ", the schema gives "
                    + Arrays.toString(want.getInputCols()));
        }
        return Optional.empty();
    }
}
