package dev.streamtree.common.event;

/** The outcome of validating one record: either the event or the reason it was refused. */
public sealed interface ValidationResult {

    record Valid(ValidatedEvent event) implements ValidationResult {
    }

    /**
     * @param reason one line naming the field and what was wrong with it (the dead letter's reason)
     * @param kind   what part of the record was wrong: a small fixed set, for counting dead letters by reason
     */
    record Invalid(String reason, Kind kind) implements ValidationResult {
        public Invalid {
            java.util.Objects.requireNonNull(reason, "reason");
            java.util.Objects.requireNonNull(kind, "kind");
        }
    }

    /** What part of a refused record was wrong; {@link #label()} is the metrics label value. */
    enum Kind {
        /** no value */
        TOMBSTONE,
        /** over the size limit */
        TOO_LARGE,
        /** not UTF-8 */
        ENCODING,
        /** not one JSON object */
        JSON,
        /** the event id: missing, malformed, or not the Kafka key */
        ID,
        /** the event time: missing, malformed, too old or too far in the future */
        EVENT_TIME,
        /** a feature: missing, of the wrong type, out of range or an unknown category */
        FEATURE,
        /** the label: of the wrong type or an unknown class */
        LABEL,
        /** the validator itself failed (a bug): the record is kept as a dead letter all the same */
        INTERNAL;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    default boolean isValid() {
        return this instanceof Valid;
    }
}
