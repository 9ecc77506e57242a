package dev.streamtree.streaming.parse;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;

import java.util.List;

/**
 * What the batch reads of each Kafka record, and its validation by the common {@link EventValidator}, run on the
 * executors in the batch's one pass.
 */
public final class EventParsing {

    /** Kafka source columns the batch reads, in order. */
    public static final List<String> SOURCE_COLUMNS = List.of("key", "value", "topic", "partition", "offset");

    private EventParsing() {
    }

    /**
     * Validates one Kafka record; never throws: a validator bug becomes the record's reason, so a poison record
     * cannot stop the query.
     */
    public static ValidationResult validate(EventValidator validator, byte[] key, byte[] value) {
        try {
            return validator.validate(key, value);
        } catch (RuntimeException e) {
            return new ValidationResult.Invalid("validator failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                    ValidationResult.Kind.INTERNAL);
        }
    }
}
