package dev.streamtree.common.event;

/** The outcome of validating one record: either the event or the reason it was refused. */
public sealed interface ValidationResult {

    record Valid(ValidatedEvent event) implements ValidationResult {
    }

    /** @param reason one line naming the field and what was wrong with it */
    record Invalid(String reason) implements ValidationResult {
    }

    default boolean isValid() {
        return this instanceof Valid;
    }
}
