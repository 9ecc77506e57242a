package dev.streamtree.monitor.join;

import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.accuracy.LabelledPrediction;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelJoinTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static Prediction prediction(String id, String version, long batch, String predicted) {
        return new Prediction(id, predicted, Map.of(predicted, 1.0), version, batch, T0, T0.plusSeconds(1), List.of());
    }

    private static LabelRecord label(String id, String cls, long second) {
        return new LabelRecord(id, cls, T0.plusSeconds(second));
    }

    @Test
    void aLabelThatArrivesBeforeItsPredictionWaitsAndJoinsWhenThePredictionComes() {
        LabelJoin join = new LabelJoin(10, 10);
        assertThat(join.label(label("e1", "A", 5))).as("nothing to join yet").isEmpty();
        assertThat(join.counts().labelsWaiting()).isEqualTo(1);

        List<LabelledPrediction> out = join.prediction(prediction("e1", "v000001", 3, "B"));

        assertThat(out).containsExactly(new LabelledPrediction(new VersionId(1), "B", "A", T0));
        assertThat(join.counts().labelsWaiting()).as("joined, no longer waiting").isZero();
        assertThat(join.counts().joined()).isEqualTo(1);
    }

    @Test
    void aPredictionThatArrivesBeforeItsLabelJoinsWhenTheLabelComes() {
        LabelJoin join = new LabelJoin(10, 10);
        assertThat(join.prediction(prediction("e1", "v000002", 1, "A"))).isEmpty();
        assertThat(join.counts().predictionsWaiting()).isEqualTo(1);

        assertThat(join.label(label("e1", "A", 1)))
                .containsExactly(new LabelledPrediction(new VersionId(2), "A", "A", T0));
        assertThat(join.counts().predictionsWaiting()).isZero();
    }

    @Test
    void duplicatePredictionsOfOneEventVersionAndBatchAreCountedOnce() {
        LabelJoin join = new LabelJoin(10, 10);
        join.prediction(prediction("e1", "v000001", 7, "A"));
        join.prediction(prediction("e1", "v000001", 7, "A"));
        assertThat(join.label(label("e1", "A", 1))).as("one prediction joined, not two").hasSize(1);
        assertThat(join.prediction(prediction("e1", "v000001", 7, "A"))).as("replayed after the join").isEmpty();
        assertThat(join.counts().duplicatePredictions()).isEqualTo(2);

        assertThat(join.prediction(prediction("e1", "v000002", 8, "B"))).as("another version is another prediction")
                .containsExactly(new LabelledPrediction(new VersionId(2), "B", "A", T0));
        assertThat(join.counts().joined()).isEqualTo(2);
    }

    @Test
    void theLatestLabelWinsAndAStaleOneIsDropped() {
        LabelJoin join = new LabelJoin(10, 10);
        join.label(label("e1", "A", 10));
        join.label(label("e1", "B", 20));
        join.label(label("e1", "C", 15));
        assertThat(join.counts().staleLabels()).as("C was given before B").isEqualTo(1);
        assertThat(join.prediction(prediction("e1", "v000001", 1, "B")))
                .containsExactly(new LabelledPrediction(new VersionId(1), "B", "B", T0));

        join.label(label("e1", "A", 30));
        assertThat(join.counts().correctionsAfterJoin()).as("a change after the count is not re-counted").isEqualTo(1);
        assertThat(join.prediction(prediction("e1", "v000002", 2, "B"))).as("later predictions use the new label")
                .containsExactly(new LabelledPrediction(new VersionId(2), "B", "A", T0));
    }

    @Test
    void theOldestWaitingLabelsAndPredictionsAreEvictedAtCapacityAndCounted() {
        LabelJoin join = new LabelJoin(2, 2);
        join.label(label("e1", "A", 1));
        join.label(label("e2", "A", 2));
        join.label(label("e3", "A", 3));
        assertThat(join.counts().labelsEvicted()).isEqualTo(1);
        assertThat(join.counts().labelsWaiting()).isEqualTo(2);
        assertThat(join.prediction(prediction("e1", "v000001", 1, "A"))).as("e1's label was evicted").isEmpty();
        assertThat(join.prediction(prediction("e3", "v000001", 1, "A"))).as("e3's label is held").hasSize(1);

        join.prediction(prediction("p1", "v000001", 1, "A"));
        join.prediction(prediction("p2", "v000001", 1, "A"));
        assertThat(join.counts().predictionsEvicted()).as("e1 then p1 pushed out by the cap of 2").isEqualTo(1);
        assertThat(join.label(label("e1", "A", 9))).as("e1's prediction was evicted").isEmpty();
        assertThat(join.label(label("p2", "B", 9))).hasSize(1);
    }

    @Test
    void aPredictionWithAnUnreadableVersionIsRefusedWithoutBeingHeld() {
        LabelJoin join = new LabelJoin(10, 10);
        assertThatThrownBy(() -> join.prediction(prediction("e1", "latest", 1, "A")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'latest' is not a model version");
        assertThat(join.counts().predictionsWaiting()).isZero();
    }
}
