package dev.streamtree.monitor.accuracy;

import dev.streamtree.common.registry.VersionId;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One model version's live accuracy at a moment.
 *
 * @param version              the model version
 * @param windowCapacity       N, the size of the recent window
 * @param window               accuracy over the last N labelled predictions (fewer until N have arrived)
 * @param sincePromotion       accuracy over every labelled prediction of this version
 * @param windowRecall         per true class, recall over the last N
 * @param recallSincePromotion per true class, recall over every labelled prediction
 * @param latestEventTime      the newest event time among the labelled predictions, null before the first
 */
public record AccuracySnapshot(VersionId version, int windowCapacity, Tally window, Tally sincePromotion,
                               Map<String, Tally> windowRecall, Map<String, Tally> recallSincePromotion,
                               Instant latestEventTime) {

    public AccuracySnapshot {
        windowRecall = Collections.unmodifiableMap(new TreeMap<>(windowRecall));
        recallSincePromotion = Collections.unmodifiableMap(new TreeMap<>(recallSincePromotion));
    }

    /** How many labelled predictions of this version have been counted. */
    public long labelled() {
        return sincePromotion.total();
    }

    public double windowAccuracy() {
        return window.rate();
    }

    public double accuracySincePromotion() {
        return sincePromotion.rate();
    }
}
