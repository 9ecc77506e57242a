package dev.streamtree.model.pipeline;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.LabelSpec;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.classification.DecisionTreeClassifier;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamPair;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * The model contract: a Spark {@link PipelineModel} that reads the lake's feature columns and adds
 * {@code prediction} (double, an index into the schema's label classes) and {@code probability} (a vector in
 * the same order).
 *
 * <p>Stages, all derived from the {@link EventSchema} and never from the data, so every model built from one
 * schema encodes features identically:
 * <ol>
 *   <li>one {@link StringIndexerModel} per categorical feature, built from the schema's allowed values in schema
 *       order (value i gets index i) with {@code handleInvalid=keep}: an unknown value or null gets the extra
 *       index {@code values.size()} instead of failing the micro-batch;</li>
 *   <li>a {@link VectorAssembler} over the features in schema order (numeric as is, categorical as indices);</li>
 *   <li>a {@link DecisionTreeClassifier} on {@link #LABEL_INDEX}, the label's position in the schema's class
 *       list.</li>
 * </ol>
 * The label is indexed by {@link #withLabelIndex} outside the pipeline, so the fitted model needs no label
 * column and scores unlabelled streams. Helper column names start with an underscore, which a schema column
 * never does.
 */
public final class FeaturePipeline {

    public static final String FEATURES = "_features";
    public static final String LABEL_INDEX = "_label_index";
    public static final String WEIGHT = "_weight";
    public static final String PREDICTION = "prediction";
    public static final String PROBABILITY = "probability";
    public static final String RAW_PREDICTION = "rawPrediction";

    private FeaturePipeline() {
    }

    /** The column holding a categorical feature's index. */
    public static String indexColumn(String feature) {
        return "_idx_" + feature;
    }

    /** One set of feature stages per schema fingerprint: every model of a schema shares them (and their uids). */
    private static final ConcurrentMap<String, List<Transformer>> FEATURE_STAGES = new ConcurrentHashMap<>();

    /**
     * The feature-encoding stages, already fitted (they depend only on the schema): the same instances for every call
     * with a schema of one fingerprint, so that {@link ModelWriter} can copy their saved files instead of writing them
     * again. Nothing may change their parameters.
     */
    public static List<Transformer> featureStages(EventSchema schema) {
        return new ArrayList<>(FEATURE_STAGES.computeIfAbsent(schema.fingerprint(), f -> newFeatureStages(schema)));
    }

    private static List<Transformer> newFeatureStages(EventSchema schema) {
        List<Transformer> stages = new ArrayList<>();
        List<String> assembled = new ArrayList<>();
        for (Feature feature : schema.features()) {
            if (feature.isNumeric()) {
                assembled.add(feature.name());
            } else {
                stages.add(new StringIndexerModel(feature.values().toArray(new String[0]))
                        .setInputCol(feature.name())
                        .setOutputCol(indexColumn(feature.name()))
                        .setHandleInvalid("keep"));
                assembled.add(indexColumn(feature.name()));
            }
        }
        stages.add(new VectorAssembler()
                .setInputCols(assembled.toArray(new String[0]))
                .setOutputCol(FEATURES)
                .setHandleInvalid("keep"));
        return List.copyOf(stages);
    }

    /**
     * The unfitted pipeline: feature stages followed by the tree. {@link #fit} gives the same model as fitting this
     * on {@link #labelledRows}, with the features encoded once instead of on every pass of the tree.
     */
    public static Pipeline pipeline(EventSchema schema, TreeParams params) {
        List<PipelineStage> stages = new ArrayList<>(featureStages(schema));
        stages.add(classifier(schema, params));
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0]));
    }

    /** Who grows the tree. */
    public enum Trainer {
        /** Spark's distributed trainer: any number of rows, one Spark job per tree level. */
        SPARK,
        /**
         * {@link DriverTreeTrainer} on the rows collected to the driver: the same algorithm without Spark jobs, for
         * the few thousand rows of a quick retrain.
         */
        DRIVER
    }

    /** {@link #fit(Dataset, EventSchema, TreeParams, Trainer)} with Spark's trainer. */
    public static PipelineModel fit(Dataset<Row> lakeRows, EventSchema schema, TreeParams params) {
        return fit(lakeRows, schema, params, Trainer.SPARK);
    }

    /**
     * Fits the pipeline on labelled lake rows: indexes the label, drops rows whose label is null or not one of
     * the schema's classes, adds class weights when {@code params.classWeighted()}.
     *
     * @throws IllegalArgumentException when the schema has no label or no row is labelled
     */
    public static PipelineModel fit(Dataset<Row> lakeRows, EventSchema schema, TreeParams params, Trainer trainer) {
        Dataset<Row> labelled = labelledRows(lakeRows, schema);
        if (params.classWeighted()) {
            labelled = withClassWeights(labelled, balancedWeights(classCounts(labelled, schema)));
        }
        List<Transformer> featureStages = featureStages(schema);
        Dataset<Row> encoded = encode(labelled, schema);
        List<Column> treeInput = new ArrayList<>(List.of(col(FEATURES), col(LABEL_INDEX)));
        if (params.classWeighted()) {
            treeInput.add(col(WEIGHT));
        }
        encoded = encoded.select(treeInput.toArray(new Column[0]));
        DecisionTreeClassificationModel tree;
        if (trainer == Trainer.DRIVER) {
            tree = fitTreeOnDriver(driverRows(encoded, params.classWeighted()), schema, params);
        } else {
            // Spark's tree reads its input several times (label check, metadata, split-candidate sample, binning);
            // caching the encoded vectors runs the feature stages once. The tree is the same as without the cache.
            encoded = encoded.persist(StorageLevel.MEMORY_AND_DISK());
            try {
                tree = fitTree(encoded, schema, params);
            } finally {
                encoded.unpersist();
            }
        }
        List<PipelineStage> stages = new ArrayList<>(featureStages);
        stages.add(tree);
        // A pipeline of fitted stages only: fit assembles the model without reading the rows.
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(labelled);
    }

    /** {@code schema}'s feature stages followed by {@code tree}: a pipeline model assembled without reading a row. */
    public static PipelineModel model(EventSchema schema, DecisionTreeClassificationModel tree) {
        List<Transformer> stages = new ArrayList<>(featureStages(schema));
        stages.add(tree);
        return new PipelineModel(Identifiable.randomUID("pipelineModel"), stages.toArray(new Transformer[0]));
    }

    /**
     * Collects {@link #encode encoded}, labelled rows to the driver for {@link #fitTreeOnDriver}.
     *
     * @param weighted whether to read {@link #WEIGHT} (else every row weighs 1)
     */
    public static DriverTreeTrainer.Rows driverRows(Dataset<Row> encoded, boolean weighted) {
        List<Row> rows = weighted
                ? encoded.select(FEATURES, LABEL_INDEX, WEIGHT).collectAsList()
                : encoded.select(FEATURES, LABEL_INDEX).collectAsList();
        int n = rows.size();
        double[][] features = new double[n][];
        int[] labels = new int[n];
        double[] weights = weighted ? new double[n] : null;
        for (int i = 0; i < n; i++) {
            Row row = rows.get(i);
            features[i] = ((Vector) row.getAs(0)).toArray();
            labels[i] = (int) row.getDouble(1);
            if (weighted) {
                weights[i] = row.getDouble(2);
            }
        }
        return new DriverTreeTrainer.Rows(features, labels, weights);
    }

    /**
     * Grows the tree {@link #fitTree} would on the same rows with {@link DriverTreeTrainer}, in this thread, and gives
     * it the parameters and column names Spark's fit would have recorded.
     */
    public static DecisionTreeClassificationModel fitTreeOnDriver(DriverTreeTrainer.Rows rows, EventSchema schema,
                                                                  TreeParams params) {
        DecisionTreeClassifier classifier = classifier(schema, params);
        int classes = schema.labelSpec().orElseThrow().classes().size();
        DecisionTreeClassificationModel tree = new DriverTreeTrainer(arities(schema), classes,
                params.withMaxBins(classifier.getMaxBins())).fit(rows);
        ParamMap recorded = new ParamMap();
        for (ParamPair<?> pair : classifier.extractParamMap().toList()) {
            if (tree.hasParam(pair.param().name())) {
                recorded.put(tree.getParam(pair.param().name()), pair.value());
            }
        }
        return tree.copy(recorded);
    }

    /**
     * Per position of the assembled feature vector: 0 for a numeric feature, else the categorical feature's number of
     * indices (its values plus the index of an unknown value).
     */
    public static int[] arities(EventSchema schema) {
        return schema.features().stream().mapToInt(f -> f.isNumeric() ? 0 : f.values().size() + 1).toArray();
    }

    /** Adds {@link #FEATURES} (and the categorical index columns) by running the feature stages. */
    public static Dataset<Row> encode(Dataset<Row> rows, EventSchema schema) {
        Dataset<Row> encoded = rows;
        for (Transformer stage : featureStages(schema)) {
            encoded = stage.transform(encoded);
        }
        return encoded;
    }

    /**
     * Fits only the tree on rows already {@link #encode encoded} and labelled (and weighted when
     * {@code params.classWeighted()}); model selection uses it to fit many trees on one encoding.
     */
    public static DecisionTreeClassificationModel fitTree(Dataset<Row> encoded, EventSchema schema, TreeParams params) {
        return classifier(schema, params).fit(encoded);
    }

    /** Adds {@link #LABEL_INDEX} and keeps only rows with a known label. */
    public static Dataset<Row> labelledRows(Dataset<Row> lakeRows, EventSchema schema) {
        return withLabelIndex(lakeRows, schema).filter(col(LABEL_INDEX).isNotNull());
    }

    /**
     * Adds {@link #LABEL_INDEX}: the label's position in the schema's classes, null for a null or unknown label.
     *
     * @throws IllegalArgumentException when the schema has no label
     */
    public static Dataset<Row> withLabelIndex(Dataset<Row> df, EventSchema schema) {
        LabelSpec label = schema.labelSpec().orElseThrow(() -> new IllegalArgumentException(
                "schema '" + schema.name() + "' has no label; a model cannot be trained on it"));
        Column index = lit(null).cast("double");
        for (int i = label.classes().size() - 1; i >= 0; i--) {
            index = functions.when(col(label.name()).equalTo(lit(label.classes().get(i))), lit((double) i)).otherwise(index);
        }
        return df.withColumn(LABEL_INDEX, index);
    }

    /** Rows per label class, in schema class order (classes with no rows appear with 0). */
    public static Map<String, Long> classCounts(Dataset<Row> labelled, EventSchema schema) {
        List<String> classes = schema.labelSpec().orElseThrow().classes();
        Map<String, Long> counts = new LinkedHashMap<>();
        classes.forEach(c -> counts.put(c, 0L));
        for (Row row : labelled.groupBy(LABEL_INDEX).count().collectAsList()) {
            counts.put(classes.get((int) row.getDouble(0)), row.getLong(1));
        }
        return counts;
    }

    /**
     * "Balanced" weights, n / (k * n_c) for each of the k classes present; plain Java.
     *
     * @return weight per class index
     */
    public static Map<Integer, Double> balancedWeights(Map<String, Long> counts) {
        long total = counts.values().stream().mapToLong(Long::longValue).sum();
        long present = counts.values().stream().filter(c -> c > 0).count();
        Map<Integer, Double> weights = new LinkedHashMap<>();
        int i = 0;
        for (long count : counts.values()) {
            weights.put(i++, count == 0 ? 0.0 : (double) total / (present * count));
        }
        return weights;
    }

    /** Adds {@link #WEIGHT} from a weight per label index. */
    public static Dataset<Row> withClassWeights(Dataset<Row> labelled, Map<Integer, Double> weights) {
        Column weight = lit(1.0);
        for (Map.Entry<Integer, Double> e : weights.entrySet()) {
            weight = functions.when(col(LABEL_INDEX).equalTo(lit((double) e.getKey())), lit(e.getValue())).otherwise(weight);
        }
        return labelled.withColumn(WEIGHT, weight);
    }

    /** The fitted tree inside a pipeline model built by this class. */
    public static DecisionTreeClassificationModel tree(PipelineModel model) {
        Transformer last = model.stages()[model.stages().length - 1];
        if (last instanceof DecisionTreeClassificationModel tree) {
            return tree;
        }
        throw new IllegalArgumentException("pipeline model does not end in a decision tree but in " + last.getClass().getSimpleName());
    }

    private static DecisionTreeClassifier classifier(EventSchema schema, TreeParams params) {
        int largestCategory = schema.features().stream().mapToInt(f -> f.values().size() + 1).max().orElse(2);
        DecisionTreeClassifier tree = new DecisionTreeClassifier()
                .setFeaturesCol(FEATURES)
                .setLabelCol(LABEL_INDEX)
                .setPredictionCol(PREDICTION)
                .setProbabilityCol(PROBABILITY)
                .setRawPredictionCol(RAW_PREDICTION)
                .setMaxDepth(params.maxDepth())
                .setMinInstancesPerNode(params.minInstancesPerNode())
                .setImpurity(params.impurity())
                .setMaxBins(Math.max(params.maxBins(), largestCategory))
                .setSeed(42L);
        if (params.classWeighted()) {
            tree.setWeightCol(WEIGHT);
        }
        return tree;
    }
}
