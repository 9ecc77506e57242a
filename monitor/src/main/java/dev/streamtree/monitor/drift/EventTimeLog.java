package dev.streamtree.monitor.drift;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The event times of one stream's items in the order the detector saw them (for a model version: its
 * labelled predictions in label-arrival order), so that a detection's change index can be mapped to the
 * event time where a retrain's training data must start.
 *
 * <p>The change point is the event time of the item at the detection's change index. Labels arrive out of
 * event-time order, so some items after that index may be older than it (they are left out of the retrain)
 * and some before it newer (they are kept in it); with labels that arrive in about event-time order both
 * sets are small.
 *
 * <p>Memory is bounded: the log holds at most {@code capacity} items (event times are kept as micros, as in
 * the lake) and forgets items that its owner says no detector can name any more ({@link #trimBefore}). An
 * index that has already been forgotten maps to the oldest remembered event time, marked inexact.
 */
public final class EventTimeLog {

    public static final int DEFAULT_CAPACITY = 100_000;

    private final int capacity;
    private long[] micros = new long[64];
    /** Index of the oldest item held, and how many are held. */
    private long first;
    private int size;

    public EventTimeLog() {
        this(DEFAULT_CAPACITY);
    }

    public EventTimeLog(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("event time log capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
    }

    /**
     * Records the event time of item {@code index}.
     *
     * @throws IllegalArgumentException when {@code index} is not the one after the last appended (items must
     *                                  be appended in the order the detector sees them, none skipped)
     */
    public void append(long index, Instant eventTime) {
        if (index != next()) {
            throw new IllegalArgumentException("expected item index " + next() + ", got " + index);
        }
        if (size == capacity) {
            first++;
            size--;
        } else if (size == micros.length) {
            grow();
        }
        micros[slot(first + size)] = ChronoUnit.MICROS.between(Instant.EPOCH, eventTime);
        size++;
    }

    /** Forgets the items before {@code index}. */
    public void trimBefore(long index) {
        long drop = Math.min(size, Math.max(0, index - first));
        first += drop;
        size -= (int) drop;
    }

    /** The index the next item must have. */
    public long next() {
        return first + size;
    }

    /** Items held. */
    public int size() {
        return size;
    }

    /**
     * Locates a detection's change point.
     *
     * @throws IllegalArgumentException when the change index lies at or beyond the next index (the log was not
     *                                  fed the items the detector saw) or the log is empty
     */
    public ChangePoint changePoint(DriftSignal drift) {
        return eventTimeOf(drift.changeIndex());
    }

    /** The event time of item {@code index}; see {@link #changePoint}. */
    public ChangePoint eventTimeOf(long index) {
        if (size == 0) {
            throw new IllegalArgumentException("no event times held, cannot place item " + index);
        }
        if (index >= next()) {
            throw new IllegalArgumentException("item " + index + " has not been logged (next is " + next() + ")");
        }
        boolean exact = index >= first;
        long held = exact ? index : first;
        return new ChangePoint(held, Instant.EPOCH.plus(micros[slot(held)], ChronoUnit.MICROS), exact);
    }

    private int slot(long index) {
        return (int) Math.floorMod(index, (long) micros.length);
    }

    private void grow() {
        long[] bigger = new long[(int) Math.min(capacity, 2L * micros.length)];
        for (int i = 0; i < size; i++) {
            bigger[(int) Math.floorMod(first + i, (long) bigger.length)] = micros[slot(first + i)];
        }
        micros = bigger;
    }

    @Override
    public String toString() {
        return "EventTimeLog[" + first + ".." + next() + ", capacity " + capacity + "]";
    }
}
