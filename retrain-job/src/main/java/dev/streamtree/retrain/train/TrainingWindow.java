package dev.streamtree.retrain.train;

import dev.streamtree.common.config.Durations;

import java.time.Duration;
import java.time.Instant;

/**
 * Which labelled events a retrain reads: the last {@code duration} before the run, or the latest {@code rows}
 * rows by event time; and never a row before {@code from} (a drift's change point), whichever bound is later.
 *
 * @param duration how far back to read, or null when {@code rows} is set
 * @param rows     how many of the latest rows to read, or 0 when {@code duration} is set
 * @param from     no row with an event time before this is read; null for no such bound
 */
public record TrainingWindow(Duration duration, long rows, Instant from) {

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
        return new TrainingWindow(duration, 0, null);
    }

    public static TrainingWindow lastRows(long rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("--last-rows must be positive, got " + rows);
        }
        return new TrainingWindow(null, rows, null);
    }

    /**
     * This window, reading no row before {@code changePoint}. A bound already later than {@code changePoint} is
     * kept: a window never widens back across a change it already excludes.
     *
     * @param changePoint the bound, or null for this window unchanged
     */
    public TrainingWindow startingAt(Instant changePoint) {
        if (changePoint == null || (from != null && !changePoint.isAfter(from))) {
            return this;
        }
        return new TrainingWindow(duration, rows, changePoint);
    }

    /**
     * The earliest event time this window reads when run at {@code now} (inclusive): the later of
     * {@code now - duration} and {@code from}; for a row window just {@code from} (null: unbounded).
     */
    public Instant lowerBound(Instant now) {
        Instant byDuration = byRows() ? null : now.minus(duration);
        if (byDuration == null) {
            return from;
        }
        return from == null || byDuration.isAfter(from) ? byDuration : from;
    }

    /** Whether a row with {@code eventTime} lies in this window's time bounds at {@code now} (the row limit aside). */
    public boolean admits(Instant eventTime, Instant now) {
        Instant lower = lowerBound(now);
        return (lower == null || !eventTime.isBefore(lower)) && (byRows() || !eventTime.isAfter(now));
    }

    public boolean byRows() {
        return duration == null;
    }

    @Override
    public String toString() {
        String base = byRows() ? "last " + rows + " rows" : "last " + Durations.format(duration);
        return from == null ? base : base + " from change point " + from;
    }
}
