package dev.streamtree.model.pipeline;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hyperparameters of the decision tree.
 *
 * @param maxDepth            maximum depth, 1..30
 * @param minInstancesPerNode minimum rows each child of a split must have, at least 1
 * @param impurity            {@code gini} or {@code entropy}
 * @param maxBins             bins for continuous features; raised automatically to the largest category count
 * @param classWeighted       whether rows are weighted inversely to their class frequency
 */
public record TreeParams(int maxDepth, int minInstancesPerNode, String impurity, int maxBins, boolean classWeighted) {

    public static final Set<String> IMPURITIES = Set.of("gini", "entropy");

    public TreeParams {
        if (maxDepth < 1 || maxDepth > 30) {
            throw new IllegalArgumentException("maxDepth must be 1..30, got " + maxDepth);
        }
        if (minInstancesPerNode < 1) {
            throw new IllegalArgumentException("minInstancesPerNode must be at least 1, got " + minInstancesPerNode);
        }
        impurity = impurity == null ? null : impurity.toLowerCase(Locale.ROOT);
        if (!IMPURITIES.contains(impurity)) {
            throw new IllegalArgumentException("impurity must be gini or entropy, got '" + impurity + "'");
        }
        if (maxBins < 2) {
            throw new IllegalArgumentException("maxBins must be at least 2, got " + maxBins);
        }
    }

    /**
     * Bins for continuous features unless set otherwise. 128 rather than Spark's 32: with 32 quantile bins the split
     * candidates are too coarse to match scikit-learn's accuracy (docs/benchmarks.md), and more bins cost little
     * since each pass updates one bin per feature and row.
     */
    public static final int DEFAULT_MAX_BINS = 128;

    /** Unweighted gini tree with {@link #DEFAULT_MAX_BINS} bins. */
    public static TreeParams of(int maxDepth, int minInstancesPerNode) {
        return new TreeParams(maxDepth, minInstancesPerNode, "gini", DEFAULT_MAX_BINS, false);
    }

    public TreeParams withImpurity(String newImpurity) {
        return new TreeParams(maxDepth, minInstancesPerNode, newImpurity, maxBins, classWeighted);
    }

    public TreeParams withClassWeights() {
        return new TreeParams(maxDepth, minInstancesPerNode, impurity, maxBins, true);
    }

    public TreeParams withMaxBins(int bins) {
        return new TreeParams(maxDepth, minInstancesPerNode, impurity, bins, classWeighted);
    }

    /** The form recorded in model metadata. */
    public Map<String, String> asMap() {
        Map<String, String> map = new LinkedHashMap<>();
        map.put("maxDepth", String.valueOf(maxDepth));
        map.put("minInstancesPerNode", String.valueOf(minInstancesPerNode));
        map.put("impurity", impurity);
        map.put("maxBins", String.valueOf(maxBins));
        map.put("classWeights", classWeighted ? "balanced" : "none");
        return map;
    }

    @Override
    public String toString() {
        return "maxDepth=" + maxDepth + ", minInstancesPerNode=" + minInstancesPerNode + ", impurity=" + impurity
                + (classWeighted ? ", class weights" : "");
    }
}
