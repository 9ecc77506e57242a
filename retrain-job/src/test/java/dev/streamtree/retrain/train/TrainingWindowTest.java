package dev.streamtree.retrain.train;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class TrainingWindowTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @Test
    void aChangePointInsideTheWindowBecomesItsStartAndRowsBeforeItAreNotRead() {
        Instant change = NOW.minus(Duration.ofHours(1));
        TrainingWindow window = TrainingWindow.last(Duration.ofDays(7)).startingAt(change);
        assertThat(window.lowerBound(NOW)).isEqualTo(change);
        assertThat(window.admits(change, NOW)).as("a row at the change point").isTrue();
        assertThat(window.admits(change.minusMillis(1), NOW)).as("a row 1 ms before the change point").isFalse();
        assertThat(window.admits(NOW.minusSeconds(1), NOW)).isTrue();
        assertThat(window.admits(NOW.plusSeconds(1), NOW)).as("a row after now").isFalse();
        assertThat(window.toString()).isEqualTo("last 7d from change point " + change);
    }

    @Test
    void aChangePointOlderThanTheWindowLeavesTheWindowStart() {
        TrainingWindow window = TrainingWindow.last(Duration.ofHours(1)).startingAt(NOW.minus(Duration.ofDays(2)));
        assertThat(window.lowerBound(NOW)).isEqualTo(NOW.minus(Duration.ofHours(1)));
        assertThat(window.admits(NOW.minus(Duration.ofHours(2)), NOW)).isFalse();
    }

    @Test
    void aRowWindowIsBoundedByTheChangePointToo() {
        Instant change = NOW.minusSeconds(30);
        TrainingWindow window = TrainingWindow.lastRows(100_000).startingAt(change);
        assertThat(window.lowerBound(NOW)).isEqualTo(change);
        assertThat(window.admits(change.minusSeconds(1), NOW)).isFalse();
        assertThat(window.admits(NOW.plusSeconds(3600), NOW)).as("row windows end at the latest event, not now").isTrue();
        assertThat(TrainingWindow.lastRows(10).lowerBound(NOW)).as("no change point: unbounded").isNull();
    }

    @Test
    void aWindowNeverWidensBackAcrossAChangeItAlreadyExcludes() {
        Instant later = NOW.minusSeconds(10);
        TrainingWindow window = TrainingWindow.last(Duration.ofDays(1)).startingAt(later);
        assertThat(window.startingAt(NOW.minusSeconds(60)).from()).isEqualTo(later);
        assertThat(window.startingAt(null).from()).isEqualTo(later);
        assertThat(window.startingAt(NOW.minusSeconds(5)).from()).isEqualTo(NOW.minusSeconds(5));
    }
}
