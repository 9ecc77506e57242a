package dev.streamtree.retrain.train;

import dev.streamtree.common.config.Durations;

import java.time.Duration;

/**
 * Which labelled events a retrain reads: the last {@code duration} before the run, or the latest {@code rows}
 * rows by event time.
 *
 * @param duration how far back to read, or null when {@code rows} is set
 * @param rows     how many of the latest rows to read, or 0 when {@code duration} is set
 */
public record TrainingWindow(Duration duration, long rows) {

    public TrainingWindow {
        if ((duration == null) == (rows == 0)) {
            throw new IllegalArgumentException("a training window is either a duration or a row count, not both or neither");
        }
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException("training window must be positive, got " + Durations.format(duration));
        }
        if (rows < 0) {
            throw new IllegalArgumentException("training window row count must be positive, got " + rows);
        }
    }

    public static TrainingWindow last(Duration duration) {
        return new TrainingWindow(duration, 0);
    }

    public static TrainingWindow lastRows(long rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("--last-rows must be positive, got " + rows);
        }
        return new TrainingWindow(null, rows);
    }

    public boolean byRows() {
        return duration == null;
    }

    @Override
    public String toString() {
        return byRows() ? "last " + rows + " rows" : "last " + Durations.format(duration);
    }
}
