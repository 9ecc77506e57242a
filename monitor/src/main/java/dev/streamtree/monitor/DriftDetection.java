package dev.streamtree.monitor;

import dev.streamtree.common.registry.VersionId;

import java.time.Instant;

/**
 * A drift found in one model version's error stream, as it will be published on the control topic.
 *
 * @param version          the serving version whose errors changed
 * @param detector         the detector's name ({@code adwin}, {@code page-hinkley})
 * @param detectedAt       when the monitor detected it (wall clock)
 * @param changePoint      estimated start of the change in event time: a retrain for this drift trains only
 *                         on rows with {@code event_time >= changePoint}
 * @param changePointExact false when the change started before the oldest event time the monitor still
 *                         remembered, in which case {@code changePoint} is that (later) time
 * @param errorBefore      the error rate of the items the detector attributes to before the change
 * @param errorAfter       the error rate of the items it attributes to after
 * @param labelled         labelled predictions of this version seen when it fired
 * @param itemsAfterChange how many of them the detector places after the change
 */
public record DriftDetection(VersionId version, String detector, Instant detectedAt, Instant changePoint,
                             boolean changePointExact, double errorBefore, double errorAfter, long labelled,
                             long itemsAfterChange) {
}
