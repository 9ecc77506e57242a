package dev.streamtree.common.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;

import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks raw records against an {@link EventSchema}. The same rules run in {@code ingest} before a
 * record is sent and in the streaming job before it reaches the lake, so a record refused in one is
 * refused in the other with the same reason.
 *
 * <p>Rules, in order; the first broken one is the reason:
 * <ol>
 *   <li>size at most {@link ValidationOptions#maxRecordBytes()}; valid UTF-8; one JSON object, no duplicate keys,
 *       nesting at most {@link Json#MAX_NESTING_DEPTH}, no NaN/Infinity;</li>
 *   <li>id: a non-empty string of at most 256 characters without control characters; when the Kafka key is
 *       set it must equal the id;</li>
 *   <li>event time: an ISO-8601 instant string or integer epoch milliseconds, not before
 *       {@link ValidationOptions#earliest()} nor later than now + {@link ValidationOptions#maxFutureSkew()};</li>
 *   <li>every feature present: numeric ones as JSON numbers (not strings) within the schema's min/max;
 *       categorical ones as a string or integer among the allowed values;</li>
 *   <li>label optional; when present, one of the schema's classes.</li>
 * </ol>
 * Fields the schema does not name are ignored (accepted, not stored).
 *
 * <p>Instances are immutable and thread-safe; they are serializable so Spark can ship them to executors.
 */
public final class EventValidator implements Serializable {

    private static final long serialVersionUID = 1L;
    public static final int MAX_ID_LENGTH = 256;

    private final EventSchema schema;
    private final ValidationOptions options;
    private final Clock clock;

    public EventValidator(EventSchema schema, ValidationOptions options, Clock clock) {
        this.schema = schema;
        this.options = options;
        this.clock = clock;
    }

    public EventValidator(EventSchema schema) {
        this(schema, ValidationOptions.defaults(), Clock.systemUTC());
    }

    public EventSchema schema() {
        return schema;
    }

    /** Validates a record's value bytes; {@code key} may be null. */
    public ValidationResult validate(byte[] key, byte[] value) {
        if (value == null) {
            return invalid(ValidationResult.Kind.TOMBSTONE, "record has no value (tombstone)");
        }
        if (value.length > options.maxRecordBytes()) {
            return invalid(ValidationResult.Kind.TOO_LARGE, "record is " + value.length + " bytes; the limit is " + options.maxRecordBytes());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
        } catch (CharacterCodingException e) {
            return invalid(ValidationResult.Kind.ENCODING, "record is not valid UTF-8");
        }
        String keyText = null;
        if (key != null) {
            keyText = new String(key, StandardCharsets.UTF_8);
        }
        return validate(keyText, text);
    }

    /** Validates a record's JSON text; {@code key} may be null (no key set). */
    public ValidationResult validate(String key, String json) {
        if (json == null) {
            return invalid(ValidationResult.Kind.TOMBSTONE, "record has no value (tombstone)");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            return invalid(ValidationResult.Kind.JSON, "malformed JSON: " + oneLine(e.getOriginalMessage()));
        } catch (IOException e) {
            return invalid(ValidationResult.Kind.JSON, "unreadable JSON: " + oneLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return invalid(ValidationResult.Kind.JSON, "record is empty");
        }
        if (!root.isObject()) {
            return invalid(ValidationResult.Kind.JSON, "record must be a JSON object, got " + root.getNodeType().name().toLowerCase());
        }
        return validate(key, root);
    }

    /** Validates an already parsed JSON object. */
    public ValidationResult validate(String key, JsonNode root) {
        JsonNode idNode = root.get(schema.idField());
        if (idNode == null || idNode.isNull()) {
            return invalid(ValidationResult.Kind.ID, "missing required field '" + schema.idField() + "' (event id)");
        }
        if (!idNode.isTextual()) {
            return invalid(ValidationResult.Kind.ID, "field '" + schema.idField() + "' must be a string, got " + kind(idNode));
        }
        String id = idNode.asText();
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH || id.chars().anyMatch(Character::isISOControl)) {
            return invalid(ValidationResult.Kind.ID, "field '" + schema.idField() + "' must be 1-" + MAX_ID_LENGTH
                    + " characters without control characters");
        }
        if (key != null && !key.equals(id)) {
            return invalid(ValidationResult.Kind.ID, "Kafka key '" + abbreviate(key) + "' does not match event id '" + abbreviate(id) + "'");
        }

        JsonNode timeNode = root.get(schema.eventTimeField());
        if (timeNode == null || timeNode.isNull()) {
            return invalid(ValidationResult.Kind.EVENT_TIME, "missing required field '" + schema.eventTimeField() + "' (event time)");
        }
        Instant eventTime;
        if (timeNode.isTextual()) {
            try {
                eventTime = IsoInstants.parse(timeNode.asText());
            } catch (DateTimeParseException e) {
                return invalid(ValidationResult.Kind.EVENT_TIME, "field '" + schema.eventTimeField() + "' is not an ISO-8601 instant: '"
                        + abbreviate(timeNode.asText()) + "'");
            }
        } else if (timeNode.isIntegralNumber() && timeNode.canConvertToLong()) {
            eventTime = Instant.ofEpochMilli(timeNode.longValue());
        } else {
            return invalid(ValidationResult.Kind.EVENT_TIME, "field '" + schema.eventTimeField()
                    + "' must be an ISO-8601 string or epoch milliseconds, got " + kind(timeNode));
        }
        if (eventTime.isBefore(options.earliest())) {
            return invalid(ValidationResult.Kind.EVENT_TIME, "field '" + schema.eventTimeField() + "' " + eventTime + " is before the earliest accepted "
                    + options.earliest());
        }
        Instant latest = clock.instant().plus(options.maxFutureSkew());
        if (eventTime.isAfter(latest)) {
            return invalid(ValidationResult.Kind.EVENT_TIME, "field '" + schema.eventTimeField() + "' " + eventTime + " is more than "
                    + options.maxFutureSkew() + " in the future");
        }

        List<Object> values = new ArrayList<>(schema.features().size());
        for (Feature feature : schema.features()) {
            JsonNode node = root.get(feature.name());
            if (node == null || node.isNull()) {
                return invalid(ValidationResult.Kind.FEATURE, "missing required field '" + feature.name() + "'");
            }
            Object value;
            if (feature.isNumeric()) {
                if (!node.isNumber()) {
                    return invalid(ValidationResult.Kind.FEATURE, "field '" + feature.name() + "' must be a number, got " + kind(node));
                }
                double d = node.doubleValue();
                if (!Double.isFinite(d)) {
                    return invalid(ValidationResult.Kind.FEATURE, "field '" + feature.name() + "' is not a finite number");
                }
                if (feature.min() != null && d < feature.min() || feature.max() != null && d > feature.max()) {
                    return invalid(ValidationResult.Kind.FEATURE, "field '" + feature.name() + "' value " + node.asText() + " is outside ["
                            + feature.min() + ", " + feature.max() + "]");
                }
                value = d;
            } else {
                if (!(node.isTextual() || node.isIntegralNumber())) {
                    return invalid(ValidationResult.Kind.FEATURE, "field '" + feature.name() + "' must be a string or integer category, got "
                            + kind(node));
                }
                String category = node.asText();
                if (!feature.values().contains(category)) {
                    return invalid(ValidationResult.Kind.FEATURE, "field '" + feature.name() + "' has unknown category '" + abbreviate(category)
                            + "'; allowed: " + feature.values());
                }
                value = category;
            }
            values.add(value);
        }

        String label = null;
        if (schema.label() != null) {
            JsonNode labelNode = root.get(schema.label().name());
            if (labelNode != null && !labelNode.isNull()) {
                if (!(labelNode.isTextual() || labelNode.isIntegralNumber())) {
                    return invalid(ValidationResult.Kind.LABEL, "field '" + schema.label().name() + "' must be a string class, got " + kind(labelNode));
                }
                label = labelNode.asText();
                if (!schema.label().classes().contains(label)) {
                    return invalid(ValidationResult.Kind.LABEL, "field '" + schema.label().name() + "' has unknown class '" + abbreviate(label)
                            + "'; allowed: " + schema.label().classes());
                }
            }
        }
        return new ValidationResult.Valid(new ValidatedEvent(id, eventTime, values, label));
    }

    /** The validated event as a flat JSON-friendly map in lake column order (for diagnostics and tests). */
    public Map<String, Object> toColumns(ValidatedEvent event) {
        Map<String, Object> columns = new java.util.LinkedHashMap<>();
        columns.put(schema.idField(), event.id());
        columns.put(schema.eventTimeField(), event.eventTime());
        for (int i = 0; i < schema.features().size(); i++) {
            columns.put(schema.features().get(i).name(), event.features().get(i));
        }
        if (schema.label() != null) {
            columns.put(schema.label().name(), event.label());
        }
        return columns;
    }

    private static ValidationResult invalid(ValidationResult.Kind kind, String reason) {
        return new ValidationResult.Invalid(reason, kind);
    }

    private static String kind(JsonNode node) {
        if (node.isTextual()) {
            return "string \"" + abbreviate(node.asText()) + "\"";
        }
        return node.getNodeType().name().toLowerCase() + " " + abbreviate(node.toString());
    }

    private static String abbreviate(String s) {
        String flat = s.replaceAll("\\p{Cntrl}", "?");
        return flat.length() <= 64 ? flat : flat.substring(0, 61) + "...";
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown parse error";
        }
        String first = message.lines().findFirst().orElse(message);
        return abbreviate(first.length() > 200 ? first.substring(0, 200) : first);
    }
}
