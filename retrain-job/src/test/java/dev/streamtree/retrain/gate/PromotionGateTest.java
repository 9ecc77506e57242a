package dev.streamtree.retrain.gate;

import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.Metrics.GateMetric;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromotionGateTest {

    private static Metrics accuracy(double a) {
        return new Metrics(a, a - 0.01, Double.NaN, 100);
    }

    private static final GatePolicy POLICY = new GatePolicy(GateMetric.ACCURACY, 0.01, false);

    @Test
    void promotesWhenThereIsNoChampion() {
        var d = PromotionGate.decide(POLICY, accuracy(0.5), Optional.empty());
        assertThat(d.promote()).isTrue();
        assertThat(d.reason()).isEqualTo("no comparable champion; candidate accuracy 0.5000");
    }

    @Test
    void promotesCandidateOnlyWhenNotWorseThanChampionBeyondTolerance() {
        assertThat(PromotionGate.decide(POLICY, accuracy(0.95), Optional.of(accuracy(0.90))).promote()).isTrue();
        assertThat(PromotionGate.decide(POLICY, accuracy(0.891), Optional.of(accuracy(0.90))).promote()).isTrue();
        assertThat(PromotionGate.decide(POLICY, accuracy(0.89), Optional.of(accuracy(0.90))).promote()).isTrue();
        var worse = PromotionGate.decide(POLICY, accuracy(0.88), Optional.of(accuracy(0.90)));
        assertThat(worse.promote()).isFalse();
        assertThat(worse.reason()).contains("candidate accuracy 0.8800 vs champion 0.9000", "champion kept");
    }

    @Test
    void forceOverridesAWorseCandidate() {
        var d = PromotionGate.decide(new GatePolicy(GateMetric.ACCURACY, 0.01, true), accuracy(0.5), Optional.of(accuracy(0.9)));
        assertThat(d.promote()).isTrue();
        assertThat(d.reason()).contains("promoted because of --force");
    }

    @Test
    void comparesOnTheChosenMetric() {
        var policy = new GatePolicy(GateMetric.WEIGHTED_F1, 0.0, false);
        var candidate = new Metrics(0.95, 0.70, Double.NaN, 100);
        var champion = new Metrics(0.90, 0.80, Double.NaN, 100);
        assertThat(PromotionGate.decide(policy, candidate, Optional.of(champion)).promote()).isFalse();
    }

    @Test
    void policyNamesBadTolerance() {
        assertThatThrownBy(() -> new GatePolicy(GateMetric.ACCURACY, -0.1, false)).hasMessage("tolerance must be within [0, 1], got -0.1");
        assertThatThrownBy(() -> GateMetric.parse("precision")).hasMessageContaining("'precision' is not a gate metric");
    }
}
