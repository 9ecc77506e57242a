package dev.streamtree.monitor.accuracy;

import dev.streamtree.common.registry.VersionId;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionAccuracyTest {

    private static final VersionId V3 = new VersionId(3);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    private static final String[] CLASSES = {"A", "B", "C"};

    @Test
    void agreesWithADirectComputationOverTheLastNAndSincePromotion() {
        Random random = new Random(42);
        int window = 100;
        VersionAccuracy accuracy = new VersionAccuracy(V3, window);
        List<LabelledPrediction> all = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            // class C is never predicted, so its recall is 0; A is predicted right 90% of the time, B 60%
            String actual = CLASSES[random.nextInt(3)];
            double p = actual.equals("A") ? 0.9 : actual.equals("B") ? 0.6 : 0;
            String predicted = random.nextDouble() < p ? actual : (actual.equals("A") ? "B" : "A");
            LabelledPrediction labelled = new LabelledPrediction(V3, predicted, actual, T0.plusSeconds(random.nextInt(3600)));
            all.add(labelled);
            accuracy.record(labelled);
            if (i < 3 || i % 37 == 0 || i == 2499) {
                AccuracySnapshot snapshot = accuracy.snapshot();
                List<LabelledPrediction> recent = all.subList(Math.max(0, all.size() - window), all.size());
                assertThat(snapshot.window()).as("window after %d", i + 1).isEqualTo(tally(recent));
                assertThat(snapshot.sincePromotion()).as("since promotion after %d", i + 1).isEqualTo(tally(all));
                assertThat(snapshot.windowRecall()).as("window recall after %d", i + 1).isEqualTo(recall(recent));
                assertThat(snapshot.recallSincePromotion()).as("recall after %d", i + 1).isEqualTo(recall(all));
                assertThat(snapshot.labelled()).isEqualTo(i + 1);
                assertThat(snapshot.latestEventTime())
                        .isEqualTo(all.stream().map(LabelledPrediction::eventTime).max(Instant::compareTo).orElseThrow());
            }
        }
        AccuracySnapshot last = accuracy.snapshot();
        assertThat(last.windowCapacity()).isEqualTo(window);
        assertThat(last.window().total()).isEqualTo(window);
        assertThat(last.recallSincePromotion().get("C").rate()).as("recall of a class never predicted").isZero();
        assertThat(last.recallSincePromotion().get("A").rate()).isBetween(0.85, 0.95);
    }

    @Test
    void ringBufferForgetsExactlyTheOldestPrediction() {
        VersionAccuracy accuracy = new VersionAccuracy(V3, 3);
        accuracy.record(new LabelledPrediction(V3, "A", "A", T0));
        accuracy.record(new LabelledPrediction(V3, "B", "A", T0));
        accuracy.record(new LabelledPrediction(V3, "B", "B", T0));
        assertThat(accuracy.snapshot().window()).isEqualTo(new Tally(3, 2));
        accuracy.record(new LabelledPrediction(V3, "A", "B", T0));
        AccuracySnapshot snapshot = accuracy.snapshot();
        assertThat(snapshot.window()).as("the first, right, prediction left the window").isEqualTo(new Tally(3, 1));
        assertThat(snapshot.windowRecall()).isEqualTo(Map.of("A", new Tally(1, 0), "B", new Tally(2, 1)));
        assertThat(snapshot.sincePromotion()).isEqualTo(new Tally(4, 2));
        assertThat(snapshot.recallSincePromotion()).isEqualTo(Map.of("A", new Tally(2, 1), "B", new Tally(2, 1)));
        accuracy.record(new LabelledPrediction(V3, "B", "B", T0));
        accuracy.record(new LabelledPrediction(V3, "B", "B", T0));
        assertThat(accuracy.snapshot().windowRecall()).as("a class with no label left in the window drops out")
                .isEqualTo(Map.of("B", new Tally(3, 2)));
    }

    @Test
    void reportsNoAccuracyBeforeTheFirstLabel() {
        AccuracySnapshot snapshot = new VersionAccuracy(V3).snapshot();
        assertThat(snapshot.windowAccuracy()).isNaN();
        assertThat(snapshot.accuracySincePromotion()).isNaN();
        assertThat(snapshot.windowCapacity()).isEqualTo(VersionAccuracy.DEFAULT_WINDOW);
        assertThat(snapshot.latestEventTime()).isNull();
    }

    @Test
    void refusesAnotherVersionsPredictionAndAnEmptyWindow() {
        VersionAccuracy accuracy = new VersionAccuracy(V3);
        assertThatThrownBy(() -> accuracy.record(new LabelledPrediction(new VersionId(4), "A", "A", T0)))
                .hasMessage("prediction of v000004 fed to the accuracy of v000003");
        assertThatThrownBy(() -> new VersionAccuracy(V3, 0))
                .hasMessage("accuracy window must hold at least 1 prediction, got 0");
        assertThatThrownBy(() -> new Tally(1, 2)).hasMessage("a tally needs 0 <= correct <= total, got 2 of 1");
    }

    private static Tally tally(List<LabelledPrediction> predictions) {
        return new Tally(predictions.size(), predictions.stream().filter(LabelledPrediction::correct).count());
    }

    private static Map<String, Tally> recall(List<LabelledPrediction> predictions) {
        Map<String, Tally> out = new HashMap<>();
        for (String c : CLASSES) {
            List<LabelledPrediction> ofClass = predictions.stream().filter(p -> p.trueClass().equals(c)).toList();
            if (!ofClass.isEmpty()) {
                out.put(c, tally(ofClass));
            }
        }
        return out;
    }
}
