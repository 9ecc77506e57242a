package dev.streamtree.launcher.demo;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AccuracyTimelineTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void countsRepeatsOnceAndEventsTheGeneratorNeverSent() {
        AccuracyTimeline timeline = new AccuracyTimeline();
        timeline.recordTruth("a", new AccuracyTimeline.Truth("A", T0.plusSeconds(1), 1));
        timeline.recordTruth("b", new AccuracyTimeline.Truth("B", T0.plusSeconds(2), 1));
        timeline.recordTruth("c", new AccuracyTimeline.Truth("A", T0.plusSeconds(7), 1));

        assertThat(timeline.recordPrediction("a", "A", "v000001", 3)).isTrue();
        assertThat(timeline.recordPrediction("b", "A", "v000001", 3)).isTrue();
        assertThat(timeline.recordPrediction("b", "A", "v000001", 3)).isFalse(); // at-least-once repeat
        assertThat(timeline.recordPrediction("c", "A", "v000002", 4)).isTrue();
        assertThat(timeline.recordPrediction("zzz", "A", "v000002", 4)).isFalse();

        assertThat(timeline.duplicates()).isEqualTo(1);
        assertThat(timeline.unknownEvents()).isEqualTo(1);
        assertThat(timeline.predictedEvents()).isEqualTo(3);
        assertThat(timeline.eventsSince(T0.plusSeconds(2))).containsExactlyInAnyOrder("b", "c");
    }

    @Test
    void countsAnEventScoredInTwoBatchesAsRescored() {
        AccuracyTimeline timeline = new AccuracyTimeline();
        timeline.recordTruth("a", new AccuracyTimeline.Truth("A", T0, 1));
        timeline.recordPrediction("a", "A", "v000001", 3);
        timeline.recordPrediction("a", "A", "v000001", 4);
        assertThat(timeline.rescoredByAnotherBatch()).isEqualTo(1);
        assertThat(timeline.predictedEvents()).isEqualTo(1);
    }
}
