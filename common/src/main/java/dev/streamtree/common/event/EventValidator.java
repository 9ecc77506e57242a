package dev.streamtree.common.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BigIntegerNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    private static final int ID_SLOT = 0;
    private static final int TIME_SLOT = 1;
    private static final int FIRST_FEATURE_SLOT = 2;

    private final EventSchema schema;
    private final ValidationOptions options;
    private final Clock clock;
    /** The fields the schema names, in slot order: id, event time, the features in order, then the label if any. */
    private final String[] fieldNames;
    /** Slot of each name in {@link #fieldNames}. */
    private final Map<String, Integer> slots;

    public EventValidator(EventSchema schema, ValidationOptions options, Clock clock) {
        this.schema = schema;
        this.options = options;
        this.clock = clock;
        List<String> names = new ArrayList<>();
        names.add(schema.idField());
        names.add(schema.eventTimeField());
        schema.features().forEach(f -> names.add(f.name()));
        if (schema.label() != null) {
            names.add(schema.label().name());
        }
        this.fieldNames = names.toArray(String[]::new);
        internNames();
        Map<String, Integer> byName = new HashMap<>();
        for (int i = 0; i < fieldNames.length; i++) {
            byName.putIfAbsent(fieldNames[i], i);
        }
        this.slots = byName;
    }

    /**
     * Jackson hands over field names interned, so interned schema names match them at the first comparison
     * ({@link RecordFields#slotOf}); deserialization makes new strings, hence again here.
     */
    private void internNames() {
        for (int i = 0; i < fieldNames.length; i++) {
            fieldNames[i] = fieldNames[i].intern();
        }
    }

    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        internNames();
    }

    public EventValidator(EventSchema schema) {
        this(schema, ValidationOptions.defaults(), Clock.systemUTC());
    }

    public EventSchema schema() {
        return schema;
    }

    /**
     * Validates a record's value bytes; {@code key} may be null. The same rules and reasons as {@link #validate(String,
     * String)}; a well-formed object is read field by field from its bytes (no text copy, no tree), and anything else
     * (malformed JSON, another root, a named field holding an object or array) is read as a tree, as there, for the
     * reason.
     */
    public ValidationResult validate(byte[] key, byte[] value) {
        if (value == null) {
            return invalid(ValidationResult.Kind.TOMBSTONE, "record has no value (tombstone)");
        }
        if (value.length > options.maxRecordBytes()) {
            return invalid(ValidationResult.Kind.TOO_LARGE, "record is " + value.length + " bytes; the limit is " + options.maxRecordBytes());
        }
        if (!isAscii(value)) {
            try {
                StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(value));
            } catch (CharacterCodingException e) {
                return invalid(ValidationResult.Kind.ENCODING, "record is not valid UTF-8");
            }
        }
        String keyText = key == null ? null : new String(key, StandardCharsets.UTF_8);
        JsonNode[] fields = readFields(value);
        if (fields == null) {
            return validate(keyText, new String(value, StandardCharsets.UTF_8));
        }
        return validate(keyText, slot -> fields[slot]);
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
        return validate(key, slot -> root.get(fieldNames[slot]));
    }

    /** The record's value of each field the schema names, by slot ({@link #fieldNames}): null where absent. */
    @FunctionalInterface
    private interface Fields {
        JsonNode get(int slot);
    }

    private ValidationResult validate(String key, Fields fields) {
        JsonNode idNode = fields.get(ID_SLOT);
        if (idNode == null || idNode.isNull()) {
            return invalid(ValidationResult.Kind.ID, "missing required field '" + schema.idField() + "' (event id)");
        }
        if (!idNode.isTextual()) {
            return invalid(ValidationResult.Kind.ID, "field '" + schema.idField() + "' must be a string, got " + kind(idNode));
        }
        String id = idNode.asText();
        if (!isValidId(id)) {
            return invalid(ValidationResult.Kind.ID, "field '" + schema.idField() + "' must be 1-" + MAX_ID_LENGTH
                    + " characters without control characters");
        }
        if (key != null && !key.equals(id)) {
            return invalid(ValidationResult.Kind.ID, "Kafka key '" + abbreviate(key) + "' does not match event id '" + abbreviate(id) + "'");
        }

        JsonNode timeNode = fields.get(TIME_SLOT);
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
        for (int f = 0; f < schema.features().size(); f++) {
            Feature feature = schema.features().get(f);
            JsonNode node = fields.get(FIRST_FEATURE_SLOT + f);
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
            JsonNode labelNode = fields.get(FIRST_FEATURE_SLOT + schema.features().size());
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

    /**
     * Reads a JSON object's named fields from its bytes ({@link Json#readFlatObject}), skipping the fields the schema
     * does not name. Scalars become the nodes a tree read makes of them.
     *
     * @return the fields by slot, or null when the record is not such an object, a field holds an object or array, or
     * a name comes twice: the tree read then gives the reason or the description
     */
    private JsonNode[] readFields(byte[] value) {
        RecordFields fields = new RecordFields();
        return Json.readFlatObject(value, fields) ? fields.values : null;
    }

    /**
     * One record's fields as {@link Json#readFlatObject} hands them over. A name is looked up where the schema's order
     * expects it first (the common case, one comparison of Jackson's interned name) and in {@link #slots} otherwise;
     * a name taken twice is refused, as the reader must.
     */
    private final class RecordFields implements Json.FieldReader {

        private final JsonNode[] values = new JsonNode[fieldNames.length];
        private int expected;
        /** The names the schema does not name, made at the first. */
        private Set<String> others;

        @Override
        public boolean read(String name, JsonToken token, JsonParser parser) throws IOException {
            int slot = slotOf(name);
            if (slot < 0) {
                if (others == null) {
                    others = new HashSet<>();
                }
                return others.add(name);
            }
            if (values[slot] != null) {
                return false;
            }
            values[slot] = scalar(parser, token);
            return values[slot] != null;
        }

        private int slotOf(String name) {
            if (expected < fieldNames.length && fieldNames[expected].equals(name)) {
                return expected++;
            }
            Integer slot = slots.get(name);
            if (slot == null) {
                return -1;
            }
            expected = slot + 1;
            return slot;
        }
    }

    /** The node a tree read makes of the parser's current scalar; null for the start of an object or array. */
    private static JsonNode scalar(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            return null;
        }
        return switch (token) {
            case VALUE_STRING -> TextNode.valueOf(parser.getText());
            case VALUE_NUMBER_INT -> switch (parser.getNumberType()) {
                case INT -> IntNode.valueOf(parser.getIntValue());
                case LONG -> LongNode.valueOf(parser.getLongValue());
                default -> BigIntegerNode.valueOf(parser.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> DoubleNode.valueOf(parser.getDoubleValue());
            case VALUE_TRUE -> BooleanNode.TRUE;
            case VALUE_FALSE -> BooleanNode.FALSE;
            case VALUE_NULL -> NullNode.getInstance();
            default -> null;
        };
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code id} is an acceptable event id: 1 to {@link #MAX_ID_LENGTH} characters without control characters
     * (the rule for events here and for the labels that name them).
     */
    public static boolean isValidId(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                return false;
            }
        }
        return true;
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
