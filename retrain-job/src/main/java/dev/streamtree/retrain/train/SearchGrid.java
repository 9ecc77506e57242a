package dev.streamtree.retrain.train;

import dev.streamtree.model.pipeline.TreeParams;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameter candidates a {@link ModelSelection} scores: every combination of the three lists.
 */
public record SearchGrid(List<Integer> maxDepths, List<Integer> minInstancesPerNode, List<String> impurities) {

    public SearchGrid {
        maxDepths = List.copyOf(maxDepths);
        minInstancesPerNode = List.copyOf(minInstancesPerNode);
        impurities = List.copyOf(impurities);
        if (maxDepths.isEmpty() || minInstancesPerNode.isEmpty() || impurities.isEmpty()) {
            throw new IllegalArgumentException("hyperparameter grid needs at least one value per parameter, got depths "
                    + maxDepths + ", min instances " + minInstancesPerNode + ", impurities " + impurities);
        }
        // Validates each value with the same messages the tree uses.
        for (int depth : maxDepths) {
            TreeParams.of(depth, 1);
        }
        for (int min : minInstancesPerNode) {
            TreeParams.of(1, min);
        }
        for (String impurity : impurities) {
            TreeParams.of(1, 1).withImpurity(impurity);
        }
    }

    /**
     * Shallow trees and large leaf minimums as well as deep ones: on a few hundred rows a depth-3 tree or a
     * 20-row leaf minimum often generalises best, on a large window depth 12. Cross-validation scores every depth
     * from one fit, so depths are nearly free; each leaf minimum costs a fit per fold. Gini only: entropy doubles
     * the fits and won no measured data set by more than the noise (docs/retrain.md).
     */
    public static final List<Integer> DEFAULT_MAX_DEPTHS = List.of(3, 5, 8, 12);
    public static final List<Integer> DEFAULT_MIN_INSTANCES = List.of(1, 5, 20);
    public static final List<String> DEFAULT_IMPURITIES = List.of("gini");

    public static SearchGrid defaults() {
        return new SearchGrid(DEFAULT_MAX_DEPTHS, DEFAULT_MIN_INSTANCES, DEFAULT_IMPURITIES);
    }

    /** Every combination, shallow and simple first, so ties go to the simpler tree. */
    public List<TreeParams> candidates() {
        List<TreeParams> out = new ArrayList<>();
        for (int depth : maxDepths.stream().sorted().toList()) {
            for (int min : minInstancesPerNode.stream().sorted(java.util.Comparator.reverseOrder()).toList()) {
                for (String impurity : impurities) {
                    out.add(TreeParams.of(depth, min).withImpurity(impurity));
                }
            }
        }
        return out;
    }
}
