package dev.streamtree.monitor.drift;

import java.time.Instant;

/**
 * A detected change located in event time: a retrain after this drift must train only on rows with
 * {@code event_time >= eventTime}.
 *
 * @param itemIndex the detector's index of the first item of the new regime
 * @param eventTime that item's event time, or, when {@code exact} is false, the event time of the oldest item
 *                  still remembered (which came later, so the estimate errs towards excluding old rows)
 * @param exact     whether {@code itemIndex} was still remembered
 */
public record ChangePoint(long itemIndex, Instant eventTime, boolean exact) {
}
