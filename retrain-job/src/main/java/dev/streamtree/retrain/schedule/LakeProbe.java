package dev.streamtree.retrain.schedule;

import java.time.Instant;

/** What the scheduler asks the lake and registry while it waits to start a drift or bootstrap retrain. */
public interface LakeProbe {

    /**
     * Labelled lake rows with an event time at or after {@code from} (every labelled row when null); may stop counting
     * once it knows there are at least {@code needed}.
     */
    long labelledRowsSince(Instant from, long needed);

    /** Whether a model is serving. */
    boolean hasCurrentModel();
}
