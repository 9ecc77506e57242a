package dev.streamtree.retrain.train;

import dev.streamtree.model.pipeline.TreeParams;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ModelSelectionRuleTest {

    private static Metrics accuracy(double value) {
        return new Metrics(value, value, Double.NaN, 100);
    }

    @Test
    void bestScoreWinsAndATieKeepsTheEarlierSimplerCandidate() {
        assertThat(ModelSelection.best(List.of(accuracy(0.90), accuracy(0.93), accuracy(0.92)), Metrics.GateMetric.ACCURACY))
                .as("the highest accuracy").isEqualTo(1);
        assertThat(ModelSelection.best(List.of(accuracy(0.93), accuracy(0.93), accuracy(0.93 + 1e-12)), Metrics.GateMetric.ACCURACY))
                .as("equal within 1e-9: the first, which candidates() orders shallow and large-leaf first").isZero();
        assertThatThrownBy(() -> ModelSelection.best(List.of(), Metrics.GateMetric.ACCURACY))
                .hasMessage("no candidate to choose from");
    }

    @Test
    void defaultGridListsShallowTreesWithLargeLeavesFirst() {
        List<TreeParams> candidates = SearchGrid.defaults().candidates();
        assertThat(candidates).hasSize(12);
        assertThat(candidates.get(0)).as("first candidate").isEqualTo(TreeParams.of(3, 20));
        assertThat(candidates.get(1)).isEqualTo(TreeParams.of(3, 5));
        assertThat(candidates.get(11)).as("last candidate").isEqualTo(TreeParams.of(12, 1));
        assertThat(candidates).extracting(TreeParams::impurity).containsOnly("gini");
    }

    @Test
    void crossValidatesBelowTheThresholdOnly() {
        SelectionPolicy policy = new SelectionPolicy(SearchGrid.defaults(), Metrics.GateMetric.ACCURACY, 20_000, 5, 0.2);
        assertThat(policy.crossValidates(19_999)).as("19,999 rows").isTrue();
        assertThat(policy.crossValidates(20_000)).as("20,000 rows").isFalse();
        assertThat(new SelectionPolicy(SearchGrid.defaults(), Metrics.GateMetric.ACCURACY, 0, 5, 0.2).crossValidates(10))
                .as("threshold 0 never cross-validates").isFalse();
        assertThatThrownBy(() -> new SelectionPolicy(SearchGrid.defaults(), Metrics.GateMetric.ACCURACY, 100, 1, 0.2))
                .hasMessage("--folds must be 2..20, got 1");
    }

    @Test
    void driverMetricsFollowSparksDefinitions() {
        int[] labels = {0, 0, 0, 1, 1, 1, 1, 1};
        int[] predicted = {0, 0, 1, 1, 1, 1, 0, 1};
        double[] scores = {0.1, 0.2, 0.7, 0.8, 0.9, 0.6, 0.3, 0.8};
        Metrics m = Metrics.of(labels, predicted, scores, 2);
        assertThat(m.accuracy()).isEqualTo(6 / 8.0);
        // class 0: precision 2/3, recall 2/3, F1 2/3; class 1: precision 4/5, recall 4/5, F1 4/5
        assertThat(m.weightedF1()).isCloseTo(3 / 8.0 * 2 / 3 + 5 / 8.0 * 4 / 5, within(1e-12));
        // 15 (positive, negative) pairs; the negative 0.7 outranks the positives 0.6 and 0.3: 13 ordered right.
        assertThat(m.auc()).isCloseTo(13 / 15.0, within(1e-12));
        assertThat(m.rows()).isEqualTo(8);
        assertThat(Metrics.of(new int[]{0, 1, 2}, new int[]{0, 1, 1}, new double[3], 3).aucIfBinary()).as("three classes").isEmpty();
    }

    @Test
    void tiedScoresCountHalfInTheAuc() {
        Metrics m = Metrics.of(new int[]{0, 1, 0, 1}, new int[]{0, 0, 0, 0}, new double[]{0.5, 0.5, 0.5, 0.5}, 2);
        assertThat(m.auc()).isEqualTo(0.5);
    }
}
