package dev.streamtree.retrain.schedule;

import java.time.Instant;

/** What the scheduler asks the lake and registry while it waits to start a drift or bootstrap retrain. */
public interface LakeProbe {

    /** Labelled lake rows with an event time at or after {@code from} (every labelled row when null). */
    long labelledRowsSince(Instant from);

    /** Whether a model is serving. */
    boolean hasCurrentModel();
}
