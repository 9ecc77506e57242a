package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.pipeline.DriverTreeTrainer;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.RetrainException;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;


import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Chooses tree parameters from the training rows as the {@link SelectionPolicy} says: k-fold cross-validation
 * below its row threshold, the latest validation slice from there on. The holdout is never read here.
 *
 * <p>Cross-validation costs one tree fit per fold and per (leaf minimum, impurity), not per grid point: a Spark
 * tree grows level by level and the split of a node does not depend on {@code maxDepth}, so the tree of depth d is
 * the deepest candidate's tree cut at depth d (same predictions). Each held-out fold is scored on the driver by
 * walking the deepest tree to every candidate depth; the rows are few (below the threshold) by construction.
 */
public final class ModelSelection {

    /** At most this many concurrent cross-validation fits. */
    static final int FIT_THREADS = 2;

    private ModelSelection() {
    }

    /**
     * The chosen parameters and how they were found.
     *
     * @param params the parameters to fit
     * @param score  their cross-validated (pooled out-of-fold) or validation-slice metrics
     * @param method how they were scored, for the summary and the metadata
     * @param fits   tree fits the search took
     * @param trials every candidate with its score
     */
    public record Choice(TreeParams params, Metrics score, String method, int fits, List<String> trials) {
    }

    /**
     * @param training     training rows (labelled, with {@link FeaturePipeline#LABEL_INDEX}), never the holdout
     * @param trainingRows their count
     * @param weighted     whether to weight classes (every candidate gets {@link TreeParams#withClassWeights()})
     * @throws RetrainException when the rows cannot be split for the search
     */
    public static Choice select(Dataset<Row> training, long trainingRows, EventSchema schema, SelectionPolicy policy,
                                boolean weighted) {
        return policy.crossValidates(trainingRows)
                ? crossValidate(training, schema, policy, weighted)
                : validationSlice(training, schema, policy, weighted);
    }

    /**
     * The rule: the best score on the metric wins; a tie (within 1e-9) keeps the earlier candidate, and
     * {@link SearchGrid#candidates()} lists shallow, large-leaf trees first.
     *
     * @return the index of the winner in {@code scores}, which is in candidate order
     */
    public static int best(List<Metrics> scores, Metrics.GateMetric metric) {
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("no candidate to choose from");
        }
        int best = 0;
        for (int i = 1; i < scores.size(); i++) {
            if (scores.get(i).value(metric) > scores.get(best).value(metric) + 1e-9) {
                best = i;
            }
        }
        return best;
    }

    static Choice crossValidate(Dataset<Row> training, EventSchema schema, SelectionPolicy policy, boolean weighted) {
        int k = policy.folds();
        Dataset<Row> rows = training;
        if (weighted) {
            rows = FeaturePipeline.withClassWeights(rows, FeaturePipeline.balancedWeights(FeaturePipeline.classCounts(rows, schema)));
        }
        List<String> treeColumns = new ArrayList<>(List.of(FeaturePipeline.FEATURES, FeaturePipeline.LABEL_INDEX, Folds.FOLD));
        if (weighted) {
            treeColumns.add(FeaturePipeline.WEIGHT);
        }
        Dataset<Row> encoded = FeaturePipeline.encode(Folds.withFold(rows, schema.idField(), k), schema)
                .select(treeColumns.stream().map(c -> col(c)).toArray(org.apache.spark.sql.Column[]::new))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Row> local = encoded.select(FeaturePipeline.FEATURES, FeaturePipeline.LABEL_INDEX, Folds.FOLD).collectAsList();
            int n = local.size();
            Vector[] features = new Vector[n];
            int[] labels = new int[n];
            int[] fold = new int[n];
            for (int i = 0; i < n; i++) {
                features[i] = local.get(i).getAs(0);
                labels[i] = (int) local.get(i).getDouble(1);
                fold[i] = local.get(i).getInt(2);
            }
            int threads = Math.min(FIT_THREADS, training.sparkSession().sparkContext().defaultParallelism());
            return crossValidate(features, labels, fold, schema, policy, weighted, threads,
                    (deep, heldOut) -> FeaturePipeline.fitTree(encoded.filter(col(Folds.FOLD).notEqual(heldOut)), schema, deep));
        } finally {
            encoded.unpersist();
        }
    }

    /**
     * {@link #select} on rows already on the driver, with every tree grown there ({@link DriverTreeTrainer}): the same
     * folds, grid, scoring and rule, without a Spark job. For the few thousand rows of a quick retrain.
     */
    public static Choice selectOnDriver(DriverRows training, EventSchema schema, SelectionPolicy policy, boolean weighted) {
        if (!policy.crossValidates(training.size())) {
            return validationSliceOnDriver(training, schema, policy, weighted);
        }
        int k = policy.folds();
        Map<Integer, Double> classWeights = weighted
                ? FeaturePipeline.balancedWeights(training.classCounts(schema)) : null;
        DriverTreeTrainer.Rows rows = training.trainerRows(classWeights);
        int[] fold = training.folds(k);
        return crossValidate(training.vectors(), training.labels(), fold, schema, policy, weighted, FIT_THREADS,
                (deep, heldOut) -> FeaturePipeline.fitTreeOnDriver(outOfFold(rows, fold, heldOut), schema, deep));
    }

    /** Fits the tree of {@code params} on every row outside fold {@code heldOut}. */
    private interface FoldFitter {
        DecisionTreeClassificationModel fit(TreeParams params, int heldOut);
    }

    private static Choice crossValidate(Vector[] features, int[] labels, int[] fold, EventSchema schema,
                                        SelectionPolicy policy, boolean weighted, int threads, FoldFitter fitter) {
        int k = policy.folds();
        int n = labels.length;
        int classes = schema.labelSpec().orElseThrow().classes().size();
        boolean[] foldUsed = new boolean[k];
        for (int f : fold) {
            foldUsed[f] = true;
        }
        List<TreeParams> candidates = policy.grid().candidates();
        int deepest = policy.grid().maxDepths().stream().mapToInt(Integer::intValue).max().orElseThrow();
        Map<TreeParams, Metrics> scores = new LinkedHashMap<>();
        List<Integer> depths = policy.grid().maxDepths().stream().distinct().toList();
        // Every (leaf minimum, impurity, fold) tree is independent: fit them on a few driver threads, as Spark's
        // CrossValidator does with its parallelism, so small jobs overlap their scheduling latency.
        List<TreeParams> deepTrees = new ArrayList<>();
        for (int min : policy.grid().minInstancesPerNode().stream().distinct().toList()) {
            for (String impurity : policy.grid().impurities().stream().distinct().toList()) {
                deepTrees.add(new TreeParams(deepest, min, impurity, TreeParams.DEFAULT_MAX_BINS, weighted));
            }
        }
        List<Callable<DecisionTreeClassificationModel>> jobs = new ArrayList<>();
        for (TreeParams deep : deepTrees) {
            for (int f = 0; f < k; f++) {
                int heldOut = f;
                jobs.add(foldUsed[f] ? () -> fitter.fit(deep, heldOut) : () -> null);
            }
        }
        List<DecisionTreeClassificationModel> trees = fitAll(jobs, threads);
        int fits = (int) trees.stream().filter(java.util.Objects::nonNull).count();
        for (int t = 0; t < deepTrees.size(); t++) {
            int[][] predicted = new int[depths.size()][n];
            double[][] positive = new double[depths.size()][n];
            for (int f = 0; f < k; f++) {
                DecisionTreeClassificationModel tree = trees.get(t * k + f);
                if (tree == null) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    if (fold[i] != f) {
                        continue;
                    }
                    for (int d = 0; d < depths.size(); d++) {
                        Node node = nodeAtDepth(tree.rootNode(), features[i], depths.get(d));
                        double[] stats = node.impurityStats().stats();
                        predicted[d][i] = (int) node.prediction(); // the index of the largest class total
                        positive[d][i] = stats.length > 1 ? stats[1] / Math.max(1e-12, sum(stats)) : 0;
                    }
                }
            }
            TreeParams deep = deepTrees.get(t);
            for (int d = 0; d < depths.size(); d++) {
                TreeParams p = TreeParams.of(depths.get(d), deep.minInstancesPerNode()).withImpurity(deep.impurity());
                scores.put(weighted ? p.withClassWeights() : p, Metrics.of(labels, predicted[d], positive[d], classes));
            }
        }
        List<TreeParams> ordered = candidates.stream().map(c -> weighted ? c.withClassWeights() : c).toList();
        List<Metrics> ranked = ordered.stream().map(scores::get).toList();
        int winner = best(ranked, policy.metric());
        List<String> trials = new ArrayList<>();
        for (int i = 0; i < ordered.size(); i++) {
            trials.add(ordered.get(i) + ": " + ranked.get(i));
        }
        String method = String.format(Locale.ROOT, "%d-fold cross-validation on %d training rows", k, n);
        return new Choice(ordered.get(winner), ranked.get(winner), method, fits, trials);
    }

    private static Choice validationSliceOnDriver(DriverRows training, EventSchema schema, SelectionPolicy policy,
                                                  boolean weighted) {
        DriverRows[] split = training.splitByTime(policy.validationFraction());
        if (split[0].size() == 0) {
            throw new RetrainException("the earlier slice of the training rows is empty; too few distinct event "
                    + "times to choose hyperparameters");
        }
        if (split[1].size() == 0) {
            throw new RetrainException("the validation slice is empty; too few distinct event times to choose hyperparameters");
        }
        int classes = schema.labelSpec().orElseThrow().classes().size();
        Map<Integer, Double> classWeights = weighted ? FeaturePipeline.balancedWeights(split[0].classCounts(schema)) : null;
        DriverTreeTrainer.Rows fitRows = split[0].trainerRows(classWeights);
        return sliceChoice(policy, weighted, params -> split[1].evaluate(
                FeaturePipeline.model(schema, FeaturePipeline.fitTreeOnDriver(fitRows, schema, params)), classes));
    }

    /** Fits and scores every candidate on the validation slice ({@code score}); the best wins. */
    private static Choice sliceChoice(SelectionPolicy policy, boolean weighted,
                                      java.util.function.Function<TreeParams, Metrics> score) {
        List<TreeParams> ordered = policy.grid().candidates().stream().map(c -> weighted ? c.withClassWeights() : c).toList();
        List<Metrics> ranked = new ArrayList<>();
        List<String> trials = new ArrayList<>();
        for (TreeParams params : ordered) {
            Metrics m = score.apply(params);
            ranked.add(m);
            trials.add(params + ": " + m);
        }
        int winner = best(ranked, policy.metric());
        String method = String.format(Locale.ROOT, "validation slice of %d rows (latest %d%% of training by event time)",
                ranked.get(winner).rows(), Math.round(policy.validationFraction() * 100));
        return new Choice(ordered.get(winner), ranked.get(winner), method, ordered.size(), trials);
    }

    static Choice validationSlice(Dataset<Row> training, EventSchema schema, SelectionPolicy policy, boolean weighted) {
        TrainingData.TimeSplit split = TrainingData.splitByTime(training, schema, policy.validationFraction());
        Dataset<Row> fitRows = split.earlier().cache();
        Dataset<Row> validationRows = split.later().cache();
        try {
            if (fitRows.isEmpty()) {
                throw new RetrainException("the earlier slice of the training rows is empty; too few distinct event "
                        + "times to choose hyperparameters");
            }
            if (validationRows.isEmpty()) {
                throw new RetrainException("the validation slice is empty; too few distinct event times to choose hyperparameters");
            }
            return sliceChoice(policy, weighted,
                    params -> Evaluation.evaluate(FeaturePipeline.fit(fitRows, schema, params), validationRows, schema));
        } finally {
            fitRows.unpersist();
            validationRows.unpersist();
        }
    }

    /** Runs the fits on up to {@code threads} threads; results in order. */
    private static List<DecisionTreeClassificationModel> fitAll(List<Callable<DecisionTreeClassificationModel>> jobs,
                                                                int maxThreads) {
        int threads = Math.max(1, Math.min(maxThreads, jobs.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "streamtree-cv-fit");
            t.setDaemon(true);
            return t;
        });
        try {
            List<DecisionTreeClassificationModel> out = new ArrayList<>();
            for (Future<DecisionTreeClassificationModel> f : pool.invokeAll(jobs)) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RetrainException("interrupted while fitting cross-validation trees", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new RetrainException("a cross-validation fit failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The rows outside fold {@code heldOut}, for a tree grown on the driver. */
    private static DriverTreeTrainer.Rows outOfFold(DriverTreeTrainer.Rows rows, int[] fold, int heldOut) {
        int n = 0;
        for (int f : fold) {
            if (f != heldOut) {
                n++;
            }
        }
        double[][] x = new double[n][];
        int[] y = new int[n];
        double[] w = rows.weights() == null ? null : new double[n];
        for (int i = 0, j = 0; i < fold.length; i++) {
            if (fold[i] != heldOut) {
                x[j] = rows.features()[i];
                y[j] = rows.labels()[i];
                if (w != null) {
                    w[j] = rows.weights()[i];
                }
                j++;
            }
        }
        return new DriverTreeTrainer.Rows(x, y, w);
    }

    /** The node a row reaches in {@code root}'s tree cut at {@code depth} (the root is depth 0). */
    static Node nodeAtDepth(Node root, Vector features, int depth) {
        Node node = root;
        for (int level = 0; level < depth && node instanceof InternalNode internal; level++) {
            node = goesLeft(internal.split(), features) ? internal.leftChild() : internal.rightChild();
        }
        return node;
    }

    private static boolean goesLeft(Split split, Vector features) {
        double value = features.apply(split.featureIndex());
        if (split instanceof ContinuousSplit continuous) {
            return value <= continuous.threshold();
        }
        if (split instanceof CategoricalSplit categorical) {
            for (double left : categorical.leftCategories()) {
                if (left == value) {
                    return true;
                }
            }
            return false;
        }
        throw new IllegalStateException("unknown split " + split.getClass().getName());
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
