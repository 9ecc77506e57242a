package dev.streamtree.monitor.accuracy;

import dev.streamtree.common.registry.VersionId;

import java.time.Instant;
import java.util.Objects;

/**
 * A prediction joined with its event's label, as the monitor consumes it (the join and the de-duplication on
 * event id, model version and batch id happen before).
 *
 * @param version        the model version that made the prediction
 * @param predictedClass the class it predicted
 * @param trueClass      the label
 * @param eventTime      the event's time, used to place a change point
 */
public record LabelledPrediction(VersionId version, String predictedClass, String trueClass, Instant eventTime) {

    public LabelledPrediction {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(predictedClass, "predictedClass");
        Objects.requireNonNull(trueClass, "trueClass");
        Objects.requireNonNull(eventTime, "eventTime");
    }

    public boolean correct() {
        return predictedClass.equals(trueClass);
    }
}
