package dev.streamtree.retrain.train;

import dev.streamtree.model.pipeline.TreeParams;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameter candidates tried on the validation slice: every combination of the three lists.
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

    public static SearchGrid defaults() {
        return new SearchGrid(List.of(5, 10), List.of(1, 20), List.of("gini", "entropy"));
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
