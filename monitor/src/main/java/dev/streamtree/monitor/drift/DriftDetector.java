package dev.streamtree.monitor.drift;

import java.util.Optional;

/**
 * Watches one stream of values (here a model version's 0/1 error stream, 1 = wrong, in label-arrival order)
 * and says when its mean has changed.
 *
 * <p>Lifecycle: values go in one at a time through {@link #add}; when it returns {@code true} the details of
 * that change are in {@link #lastDrift()} until the next change replaces them. Item positions count every
 * value added since construction, {@link #reset()} included, so a change point stays comparable with the
 * caller's own count. Not thread-safe: one detector per stream, fed by one thread.
 */
public interface DriftDetector {

    /** Short name published with a detection, e.g. {@code adwin}. */
    String name();

    /**
     * Adds the next value.
     *
     * @return true when this value completes the evidence for a change
     * @throws IllegalArgumentException when the value is NaN or infinite
     */
    boolean add(double value);

    /** The most recent change detected, or empty if there has been none. */
    Optional<DriftSignal> lastDrift();

    /**
     * Forgets all statistics and the last drift, but not the item count: the next value starts a fresh window
     * at index {@link #itemsSeen()}.
     */
    void reset();

    /** How many values have been added since construction. */
    long itemsSeen();

    /**
     * The position of the oldest item that this detector could still name as the start of a change; items
     * before it will never be needed to map a change point to an event time.
     */
    long earliestChangeIndex();
}
