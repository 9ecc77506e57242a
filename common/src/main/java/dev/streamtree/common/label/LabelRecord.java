package dev.streamtree.common.label;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.IsoInstants;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.LabelSpec;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * One record of the labels topic: the true class of an event, given after the event was produced. JSON value
 * {@code {"event_id":"...","label":"B","labelled_at":"2026-12-02T10:00:00Z"}}, key = event id. The latest label
 * of an event wins (by {@code labelled_at}, then by arrival); a label may arrive before its event.
 *
 * @param eventId    the labelled event's id (1-256 characters without control characters, as event ids)
 * @param label      one of the schema's classes
 * @param labelledAt when the label was given; the Kafka record's timestamp when the JSON has none
 */
public record LabelRecord(String eventId, String label, Instant labelledAt) {

    public static final String EVENT_ID = "event_id";
    public static final String LABEL = "label";
    public static final String LABELLED_AT = "labelled_at";

    /**
     * A label record that fails validation: the message is the dead-letter reason, the kind what was wrong (for the
     * dead-letter counts by reason). {@code labelled_at} problems are {@link ValidationResult.Kind#EVENT_TIME}, a
     * key that differs from {@code event_id} is {@link ValidationResult.Kind#ID}.
     */
    public static final class Invalid extends IllegalArgumentException {
        private final ValidationResult.Kind kind;

        Invalid(ValidationResult.Kind kind, String message) {
            super(message);
            this.kind = kind;
        }

        public ValidationResult.Kind kind() {
            return kind;
        }
    }

    /** The largest label record accepted, in bytes. */
    public static final int MAX_BYTES = 4096;

    public LabelRecord {
        requireEventId(eventId);
        Objects.requireNonNull(label, LABEL);
        Objects.requireNonNull(labelledAt, LABELLED_AT);
    }

    /** The labels-topic value. */
    public byte[] toJson() {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put(EVENT_ID, eventId);
        node.put(LABEL, label);
        node.put(LABELLED_AT, labelledAt.toString());
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses and validates a labels-topic record against the schema's classes.
     *
     * @param key       the Kafka key, or null; when set it must equal {@code event_id}
     * @param value     the Kafka value
     * @param classes   the schema's label and its classes
     * @param timestamp used as {@code labelled_at} when the JSON has none (the Kafka record's timestamp)
     * @throws Invalid with one line naming the field and what was wrong with it (the dead-letter
     *                                  reason)
     */
    public static LabelRecord parse(byte[] key, byte[] value, LabelSpec classes, Instant timestamp) {
        if (value == null) {
            throw new Invalid(ValidationResult.Kind.TOMBSTONE, "label record has no value (tombstone)");
        }
        if (value.length > MAX_BYTES) {
            throw new Invalid(ValidationResult.Kind.TOO_LARGE, "label record is " + value.length + " bytes; the limit is " + MAX_BYTES);
        }
        String text = utf8(value, "label record");
        JsonNode root;
        try {
            root = Json.mapper().reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).readTree(text);
        } catch (JsonProcessingException e) {
            throw new Invalid(ValidationResult.Kind.JSON, "label record is malformed JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new Invalid(ValidationResult.Kind.JSON, "label record is unreadable JSON: " + oneLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new Invalid(ValidationResult.Kind.JSON, "label record must be a JSON object");
        }
        String eventId = string(root, EVENT_ID);
        requireEventId(eventId);
        if (key != null) {
            String keyText = utf8(key, "label record key");
            if (!keyText.equals(eventId)) {
                throw new Invalid(ValidationResult.Kind.ID, "label record key '" + abbreviate(keyText) + "' differs from field '"
                        + EVENT_ID + "' '" + abbreviate(eventId) + "'");
            }
        }
        String label = string(root, LABEL);
        if (classes.indexOf(label) < 0) {
            throw new Invalid(ValidationResult.Kind.LABEL, "field '" + LABEL + "' is '" + abbreviate(label) + "'; expected one of "
                    + classes.classes());
        }
        Instant labelledAt = timestamp;
        JsonNode at = root.get(LABELLED_AT);
        if (at != null && !at.isNull()) {
            if (!at.isTextual()) {
                throw new Invalid(ValidationResult.Kind.EVENT_TIME, "field '" + LABELLED_AT + "' must be an ISO-8601 instant string");
            }
            try {
                labelledAt = IsoInstants.parse(at.asText());
            } catch (DateTimeParseException e) {
                throw new Invalid(ValidationResult.Kind.EVENT_TIME, "field '" + LABELLED_AT + "' is '" + abbreviate(at.asText())
                        + "', not an ISO-8601 instant such as 2026-12-02T10:00:00Z");
            }
        }
        if (labelledAt == null) {
            throw new Invalid(ValidationResult.Kind.EVENT_TIME, "field '" + LABELLED_AT + "' is missing and the record has no timestamp");
        }
        return new LabelRecord(eventId, label, labelledAt);
    }

    /**
     * Whether this label replaces {@code older}: a later {@code labelled_at}; at the same {@code labelled_at}, the
     * greater label (or the same one). The rule of the lake's latest-label read, so the monitor and a retrain pick
     * the same label whatever order two labels of one instant arrive in.
     */
    public boolean supersedes(LabelRecord older) {
        if (older == null || labelledAt.isAfter(older.labelledAt)) {
            return true;
        }
        return labelledAt.equals(older.labelledAt) && label.compareTo(older.label) >= 0;
    }

    private static void requireEventId(String id) {
        if (!EventValidator.isValidId(id)) {
            throw new Invalid(ValidationResult.Kind.ID, "field '" + EVENT_ID
                    + "' must be 1-" + EventValidator.MAX_ID_LENGTH + " characters without control characters");
        }
    }

    private static String string(JsonNode root, String field) {
        JsonNode node = root.get(field);
        ValidationResult.Kind kind = EVENT_ID.equals(field) ? ValidationResult.Kind.ID : ValidationResult.Kind.LABEL;
        if (node == null || node.isNull()) {
            throw new Invalid(kind, "field '" + field + "' is missing");
        }
        if (!node.isTextual()) {
            throw new Invalid(kind, "field '" + field + "' must be a string, got " + node.getNodeType()
                    .name().toLowerCase(java.util.Locale.ROOT));
        }
        return node.asText();
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Invalid(ValidationResult.Kind.ENCODING, what + " is not valid UTF-8");
        }
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }
}
