package dev.streamtree.model.pipeline;

import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.mllib.tree.impurity.EntropyCalculator;
import org.apache.spark.mllib.tree.impurity.GiniCalculator;
import org.apache.spark.mllib.tree.impurity.ImpurityCalculator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Grows a decision tree in the calling thread from rows already in memory, for the few thousand rows of a drift or
 * bootstrap retrain, and returns it as Spark's own {@link DecisionTreeClassificationModel}: the same model class, saved
 * by the same writer, read by {@code PipelineModel.load} and the fast loader alike.
 *
 * <p>Why not Spark's trainer for these rows: Spark grows a tree level by level with one job per level, plus jobs for
 * the label check, the split candidates and the binning; on this machine that is about 2 s for a depth-8 tree of 2,000
 * rows, almost all of it job scheduling (docs/retrain.md has the figures). The same rows take milliseconds here.
 *
 * <p>The algorithm is Spark's, so a tree means the same whichever trainer grew it: continuous features are cut into at
 * most {@code maxBins} bins at thresholds chosen once from all rows by Spark's rule ({@link #thresholds}; Spark samples
 * the rows above {@code max(maxBins^2, 10,000)}, this trainer never does); categorical features split into a left and
 * a right set of categories, ordered by the positive class's share for two classes (Spark orders by the positive
 * class's count, which can miss the best split when categories differ in size; the share is Breiman's optimal order)
 * and searched exhaustively for more classes (ordered by impurity beyond {@value #EXHAUSTIVE_CATEGORIES} categories
 * with rows); a split needs {@code minInstancesPerNode} rows on each
 * side and a positive gain (weighted impurity decrease); the best split wins, ties to the lower feature and threshold;
 * nodes at {@code maxDepth} are leaves; sibling leaves with the same prediction are merged (Spark's pruning). Node
 * statistics are the (weighted) class totals and the raw row count, as in Spark. A node's split does not depend on the
 * maximum depth, so a tree cut at depth d is the tree grown to depth d, which model selection relies on.
 *
 * <p>Not for large data: rows, bin indices and the per-node histograms live in the driver's heap.
 */
public final class DriverTreeTrainer {

    /** Multiclass categorical features up to this many categories try every left/right partition. */
    static final int EXHAUSTIVE_CATEGORIES = 8;

    private final int[] arity;
    private final int numClasses;
    private final TreeParams params;
    private final boolean gini;

    /**
     * Rows to train on.
     *
     * @param features one vector per row, in the assembler's order (categorical features as category indices)
     * @param labels   the class index of each row
     * @param weights  each row's weight, or null for all 1
     */
    public record Rows(double[][] features, int[] labels, double[] weights) {
        public Rows {
            if (features.length != labels.length || (weights != null && weights.length != labels.length)) {
                throw new IllegalArgumentException("features, labels and weights differ in length: " + features.length
                        + ", " + labels.length + ", " + (weights == null ? "none" : String.valueOf(weights.length)));
            }
        }

        public int size() {
            return labels.length;
        }

        double weight(int row) {
            return weights == null ? 1.0 : weights[row];
        }
    }

    /**
     * @param arity      per feature: 0 for a continuous feature, else its number of categories (indices 0..arity-1)
     * @param numClasses classes of the label
     */
    public DriverTreeTrainer(int[] arity, int numClasses, TreeParams params) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("a classification tree needs at least 2 classes, got " + numClasses);
        }
        this.arity = arity.clone();
        this.numClasses = numClasses;
        this.params = params;
        this.gini = params.impurity().equals("gini");
    }

    /** Grows the tree; the returned model has Spark's default column names (the caller sets its own). */
    public DecisionTreeClassificationModel fit(Rows rows) {
        if (rows.size() == 0) {
            throw new IllegalArgumentException("cannot grow a tree on no rows");
        }
        for (int i = 0; i < rows.size(); i++) {
            int label = rows.labels()[i];
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException("row " + i + " has label index " + label + ", outside 0.." + (numClasses - 1));
            }
            if (rows.features()[i].length != arity.length) {
                throw new IllegalArgumentException("row " + i + " has " + rows.features()[i].length + " features, expected " + arity.length);
            }
        }
        Binned binned = bin(rows);
        int[] all = new int[rows.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Node root = grow(rows, binned, all, 0);
        return new DecisionTreeClassificationModel(Identifiable.randomUID("dtc"), root, arity.length, numClasses);
    }

    /** Each row's bin per feature, and the threshold of every continuous bin boundary. */
    private record Binned(int[][] bins, double[][] thresholds) {
    }

    private Binned bin(Rows rows) {
        int n = rows.size();
        int maxBins = Math.max(params.maxBins(), Arrays.stream(arity).max().orElse(2));
        int[][] bins = new int[arity.length][n];
        double[][] thresholds = new double[arity.length][];
        for (int f = 0; f < arity.length; f++) {
            if (arity[f] > 0) {
                for (int i = 0; i < n; i++) {
                    double v = rows.features()[i][f];
                    int category = (int) v;
                    if (category != v || category < 0 || category >= arity[f]) {
                        throw new IllegalArgumentException("feature " + f + " of row " + i + " is " + v
                                + ", not a category index below " + arity[f]);
                    }
                    bins[f][i] = category;
                }
                continue;
            }
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = rows.features()[i][f];
            }
            thresholds[f] = thresholds(values, rows.weights(), maxBins - 1);
            for (int i = 0; i < n; i++) {
                // bin b holds the values above threshold b-1 and at most threshold b
                int at = Arrays.binarySearch(thresholds[f], rows.features()[i][f]);
                bins[f][i] = at >= 0 ? at : -at - 1;
            }
        }
        return new Binned(bins, thresholds);
    }

    /**
     * At most {@code splits} thresholds, Spark's rule: with few enough distinct values, the midpoint between each two
     * neighbours; else walk the distinct values in order with a target every {@code total weight / (splits + 1)} and
     * cut after the value whose cumulative weight comes closest to the target.
     *
     * @param weights each value's weight, or null for all 1
     */
    static double[] thresholds(double[] values, double[] weights, int splits) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        List<Double> distinct = new ArrayList<>();
        List<Double> weightOf = new ArrayList<>();
        double total = 0;
        for (int i : order) {
            double w = weights == null ? 1.0 : weights[i];
            total += w;
            if (distinct.isEmpty() || distinct.get(distinct.size() - 1) != values[i]) {
                distinct.add(values[i]);
                weightOf.add(w);
            } else {
                weightOf.set(weightOf.size() - 1, weightOf.get(weightOf.size() - 1) + w);
            }
        }
        List<Double> out = new ArrayList<>();
        if (distinct.size() - 1 <= splits) {
            for (int i = 1; i < distinct.size(); i++) {
                out.add((distinct.get(i - 1) + distinct.get(i)) / 2);
            }
        } else {
            double stride = total / (splits + 1);
            double target = stride;
            double cumulative = weightOf.get(0);
            for (int i = 1; i < distinct.size(); i++) {
                double previous = cumulative;
                cumulative += weightOf.get(i);
                // cut before value i when stopping there lands closer to the target than taking value i too
                if (Math.abs(previous - target) < Math.abs(cumulative - target)) {
                    out.add((distinct.get(i - 1) + distinct.get(i)) / 2);
                    target += stride;
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private Node grow(Rows rows, Binned binned, int[] members, int depth) {
        double[] stats = new double[numClasses];
        for (int i : members) {
            stats[rows.labels()[i]] += rows.weight(i);
        }
        double impurity = impurity(stats);
        Best best = depth < params.maxDepth() && impurity > 0 ? bestSplit(rows, binned, members, stats, impurity) : null;
        if (best == null) {
            return new LeafNode(argmax(stats), impurity, calculator(stats, members.length));
        }
        int leftSize = 0;
        for (int i : members) {
            if (best.left[binned.bins()[best.feature][i]]) {
                leftSize++;
            }
        }
        int[] left = new int[leftSize];
        int[] right = new int[members.length - leftSize];
        int l = 0;
        int r = 0;
        for (int i : members) {
            if (best.left[binned.bins()[best.feature][i]]) {
                left[l++] = i;
            } else {
                right[r++] = i;
            }
        }
        Node leftNode = grow(rows, binned, left, depth + 1);
        Node rightNode = grow(rows, binned, right, depth + 1);
        if (leftNode instanceof LeafNode a && rightNode instanceof LeafNode b && a.prediction() == b.prediction()) {
            return new LeafNode(argmax(stats), impurity, calculator(stats, members.length));
        }
        return new InternalNode(argmax(stats), impurity, best.gain, leftNode, rightNode,
                split(best, binned), calculator(stats, members.length));
    }

    /** A split: which bins of {@code feature} go left, and its gain. */
    private record Best(int feature, boolean[] left, double gain) {
    }

    private Split split(Best best, Binned binned) {
        if (arity[best.feature] == 0) {
            int last = -1;
            for (int b = 0; b < best.left.length; b++) {
                if (best.left[b]) {
                    last = b;
                }
            }
            return new ContinuousSplit(best.feature, binned.thresholds()[best.feature][last]);
        }
        List<Double> categories = new ArrayList<>();
        for (int c = 0; c < best.left.length; c++) {
            if (best.left[c]) {
                categories.add((double) c);
            }
        }
        return new CategoricalSplit(best.feature, categories.stream().mapToDouble(Double::doubleValue).toArray(),
                arity[best.feature]);
    }

    private Best bestSplit(Rows rows, Binned binned, int[] members, double[] stats, double impurity) {
        double total = sum(stats);
        Best best = null;
        for (int f = 0; f < arity.length; f++) {
            int numBins = arity[f] > 0 ? arity[f] : binned.thresholds()[f].length + 1;
            double[][] hist = new double[numBins][numClasses];
            long[] count = new long[numBins];
            int[] bins = binned.bins()[f];
            for (int i : members) {
                hist[bins[i]][rows.labels()[i]] += rows.weight(i);
                count[bins[i]]++;
            }
            Best candidate = arity[f] == 0
                    ? bestOrdered(f, identity(numBins), hist, count, stats, total, impurity)
                    : bestCategorical(f, hist, count, stats, total, impurity);
            if (candidate != null && (best == null || candidate.gain > best.gain)) {
                best = candidate;
            }
        }
        return best;
    }

    /** The best cut of the bins taken in {@code order}: a prefix of the order goes left. */
    private Best bestOrdered(int feature, int[] order, double[][] hist, long[] count, double[] stats, double total,
                             double impurity) {
        double[] left = new double[numClasses];
        double[] right = new double[numClasses];
        long leftCount = 0;
        long totalCount = 0;
        for (long c : count) {
            totalCount += c;
        }
        int bestCut = -1;
        double bestGain = 0;
        for (int k = 0; k < order.length - 1; k++) {
            int b = order[k];
            for (int c = 0; c < numClasses; c++) {
                left[c] += hist[b][c];
            }
            leftCount += count[b];
            if (leftCount < params.minInstancesPerNode() || totalCount - leftCount < params.minInstancesPerNode()) {
                continue;
            }
            for (int c = 0; c < numClasses; c++) {
                right[c] = stats[c] - left[c];
            }
            double gain = gain(left, right, total, impurity);
            if (gain > bestGain) {
                bestGain = gain;
                bestCut = k;
            }
        }
        if (bestCut < 0) {
            return null;
        }
        boolean[] goesLeft = new boolean[hist.length];
        for (int k = 0; k <= bestCut; k++) {
            goesLeft[order[k]] = true;
        }
        return new Best(feature, goesLeft, bestGain);
    }

    private Best bestCategorical(int feature, double[][] hist, long[] count, double[] stats, double total, double impurity) {
        int present = 0;
        for (long c : count) {
            if (c > 0) {
                present++;
            }
        }
        if (present < 2) {
            return null;
        }
        if (numClasses == 2 || present > EXHAUSTIVE_CATEGORIES) {
            // Categories with rows, by the positive class's share (two classes: the optimal order, Breiman) or by their
            // impurity; categories without rows go last and so to the right, as an unseen value does when scoring.
            Integer[] order = new Integer[hist.length];
            double[] key = new double[hist.length];
            for (int b = 0; b < hist.length; b++) {
                order[b] = b;
                double w = sum(hist[b]);
                key[b] = count[b] == 0 ? Double.MAX_VALUE : numClasses == 2 ? hist[b][1] / w : impurity(hist[b]);
            }
            Arrays.sort(order, (a, b) -> Double.compare(key[a], key[b]));
            int[] ordered = new int[present];
            for (int k = 0; k < present; k++) {
                ordered[k] = order[k];
            }
            return bestOrdered(feature, ordered, hist, count, stats, total, impurity);
        }
        int[] seen = new int[present];
        for (int b = 0, k = 0; b < hist.length; b++) {
            if (count[b] > 0) {
                seen[k++] = b;
            }
        }
        Best best = null;
        double[] left = new double[numClasses];
        double[] right = new double[numClasses];
        // the last present category stays right, so each partition is tried once
        for (int mask = 1; mask < (1 << (present - 1)); mask++) {
            Arrays.fill(left, 0);
            long leftCount = 0;
            long rightCount = 0;
            for (int k = 0; k < present; k++) {
                if ((mask & (1 << k)) != 0) {
                    for (int c = 0; c < numClasses; c++) {
                        left[c] += hist[seen[k]][c];
                    }
                    leftCount += count[seen[k]];
                } else {
                    rightCount += count[seen[k]];
                }
            }
            if (leftCount < params.minInstancesPerNode() || rightCount < params.minInstancesPerNode()) {
                continue;
            }
            for (int c = 0; c < numClasses; c++) {
                right[c] = stats[c] - left[c];
            }
            double gain = gain(left, right, total, impurity);
            if (gain > 0 && (best == null || gain > best.gain)) {
                boolean[] goesLeft = new boolean[hist.length];
                for (int k = 0; k < present; k++) {
                    goesLeft[seen[k]] = (mask & (1 << k)) != 0;
                }
                best = new Best(feature, goesLeft, gain);
            }
        }
        return best;
    }

    private double gain(double[] left, double[] right, double total, double impurity) {
        double leftWeight = sum(left);
        double rightWeight = total - leftWeight;
        if (leftWeight <= 0 || rightWeight <= 0) {
            return 0;
        }
        return impurity - leftWeight / total * impurity(left) - rightWeight / total * impurity(right);
    }

    private double impurity(double[] stats) {
        double total = sum(stats);
        if (total <= 0) {
            return 0;
        }
        double out = gini ? 1 : 0;
        for (double s : stats) {
            double p = s / total;
            if (gini) {
                out -= p * p;
            } else if (p > 0) {
                out -= p * Math.log(p) / Math.log(2);
            }
        }
        return out;
    }

    private ImpurityCalculator calculator(double[] stats, long rawCount) {
        return gini ? new GiniCalculator(stats.clone(), rawCount) : new EntropyCalculator(stats.clone(), rawCount);
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    private static double argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double sum(double[] values) {
        double s = 0;
        for (double v : values) {
            s += v;
        }
        return s;
    }
}
