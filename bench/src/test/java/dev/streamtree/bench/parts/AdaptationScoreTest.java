package dev.streamtree.bench.parts;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdaptationScoreTest {

    /** 300 unscored events, right until 10,000, wrong for 1,500 after the drift, then right again. */
    @Test
    void figuresFromPerEventRecords() {
        List<String> labels = new ArrayList<>();
        List<Integer> functions = new ArrayList<>();
        List<String> predicted = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            labels.add("A");
            functions.add(i < 10_000 ? 1 : 3);
            predicted.add(i < 300 ? null : i >= 10_000 && i < 11_500 ? "B" : "A");
        }
        AdaptationScore s = AdaptationScore.of(labels, functions, predicted);
        assertEquals(20_000, s.events());
        assertEquals(19_700, s.scored());
        assertEquals(18_200, s.correct());
        assertEquals(300, s.firstScoredIndex());
        assertEquals(10_000, s.driftIndex());
        assertEquals(1.0, s.preDriftAccuracy(), 1e-9);
        // the first window within 2 points of 100% (at most 20 wrong) on the 100-event steps starts at 11,500
        assertEquals(2_500, s.recoveryEvents());
        assertEquals(0.0, s.lowestWindowAfterDrift(), 1e-9);
        assertEquals(18_200 / 20_000.0, s.accuracyAll(), 1e-9);
        assertEquals(18_200 / 19_700.0, s.accuracyScored(), 1e-9);
    }

    @Test
    void withoutDriftNoRecoveryFigures() {
        AdaptationScore s = AdaptationScore.of(List.of("A", "B", "A"), List.of(1, 1, 1), java.util.Arrays.asList(null, "B", "B"));
        assertEquals(-1, s.driftIndex());
        assertEquals(1, s.firstScoredIndex());
        assertEquals(-1, s.recoveryEvents());
        assertTrue(Double.isNaN(s.preDriftAccuracy()));
        assertEquals(0.5, s.accuracyScored(), 1e-9);
    }
}
