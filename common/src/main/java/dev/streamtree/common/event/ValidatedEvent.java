package dev.streamtree.common.event;

import java.time.Instant;
import java.util.List;

/**
 * An event that passed validation, in schema order.
 *
 * @param id        the event id
 * @param eventTime the event time
 * @param features  one value per schema feature: {@link Double} for numeric, {@link String} for categorical
 * @param label     the label class, or null when the event carries none
 */
public record ValidatedEvent(String id, Instant eventTime, List<Object> features, String label) {

    public ValidatedEvent {
        features = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(features));
    }
}
