package dev.streamtree.common.prediction;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.event.IsoInstants;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of the predictions topic (key = event id). Delivery is at-least-once: a replayed micro-batch
 * emits its predictions again with the same batch id, so consumers de-duplicate on
 * {@code (event_id, model_version, batch_id)}.
 *
 * @param eventId        the scored event's id
 * @param predictedClass the class with the highest probability
 * @param probabilities  probability per class, in the model's class order
 * @param modelVersion   the registry version that scored it, e.g. {@code v000003}
 * @param batchId        the streaming micro-batch that scored it
 * @param eventTime      the event's time
 * @param scoredAt       when the micro-batch was scored
 * @param decisionPath   the tree conditions the event satisfied, root first; empty unless the job runs with
 *                       {@code --explain}
 */
public record Prediction(String eventId, String predictedClass, Map<String, Double> probabilities, String modelVersion,
                         long batchId, Instant eventTime, Instant scoredAt, List<String> decisionPath) {

    public static final String EVENT_ID = "event_id";
    public static final String PREDICTED_CLASS = "predicted_class";
    public static final String PROBABILITIES = "probabilities";
    public static final String MODEL_VERSION = "model_version";
    public static final String BATCH_ID = "batch_id";
    public static final String EVENT_TIME = "event_time";
    public static final String SCORED_AT = "scored_at";
    public static final String DECISION_PATH = "decision_path";

    public Prediction {
        probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(probabilities));
        decisionPath = decisionPath == null ? List.of() : List.copyOf(decisionPath);
    }

    /**
     * Parses a predictions-topic value from its UTF-8 bytes: as {@link #parse(String)} does, with the same errors. A
     * value in the shape {@link #toJsonBytes()} writes is read field by field (no text copy, no tree); anything else
     * goes through {@link #parse(String)}.
     *
     * @throws IllegalArgumentException naming the missing or malformed field
     */
    public static Prediction parse(byte[] json) {
        Prediction read = read(json);
        return read != null ? read : parse(new String(json, StandardCharsets.UTF_8));
    }

    /** The prediction in {@code json} when it has the written shape; null for anything else. */
    private static Prediction read(byte[] json) {
        WrittenFields fields = new WrittenFields();
        if (!Json.readObject(json, fields::read) || !fields.complete()) {
            return null;
        }
        try {
            return new Prediction(fields.eventId, fields.predictedClass, fields.probabilities, fields.modelVersion,
                    fields.batchId, IsoInstants.parse(fields.eventTime), IsoInstants.parse(fields.scoredAt), fields.path);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The fields of a value in the shape {@link #toJsonBytes()} writes, as {@link #read} takes them. */
    private static final class WrittenFields {
        private String eventId;
        private String predictedClass;
        private String modelVersion;
        private String eventTime;
        private String scoredAt;
        private long batchId;
        private boolean hasBatchId;
        private Map<String, Double> probabilities;
        private final List<String> path = new ArrayList<>();

        /** Takes one field; false for a value of another shape (then {@link #parse(String)} reads it). */
        boolean read(String name, JsonToken token, JsonParser parser) throws IOException {
            switch (name) {
                case EVENT_ID -> eventId = text(parser, token);
                case PREDICTED_CLASS -> predictedClass = text(parser, token);
                case MODEL_VERSION -> modelVersion = text(parser, token);
                case EVENT_TIME -> eventTime = text(parser, token);
                case SCORED_AT -> scoredAt = text(parser, token);
                case BATCH_ID -> {
                    if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        return false;
                    }
                    batchId = parser.getLongValue();
                    hasBatchId = true;
                }
                case PROBABILITIES -> {
                    if (token != JsonToken.START_OBJECT) {
                        return false;
                    }
                    probabilities = new LinkedHashMap<>();
                    String className;
                    while ((className = parser.nextFieldName()) != null) {
                        if (!parser.nextToken().isNumeric()) {
                            return false;
                        }
                        probabilities.put(className, parser.getDoubleValue());
                    }
                }
                case DECISION_PATH -> {
                    if (token != JsonToken.START_ARRAY) {
                        return false;
                    }
                    while (parser.nextToken() == JsonToken.VALUE_STRING) {
                        path.add(parser.getText());
                    }
                    return parser.currentToken() == JsonToken.END_ARRAY;
                }
                default -> parser.skipChildren();
            }
            return true;
        }

        boolean complete() {
            return eventId != null && predictedClass != null && modelVersion != null && eventTime != null
                    && scoredAt != null && hasBatchId && probabilities != null;
        }
    }

    /** The current string value; null for anything else (skipped), which sends the value to the tree read. */
    private static String text(JsonParser parser, JsonToken token) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            parser.skipChildren();
            return null;
        }
        return parser.getText();
    }

    /**
     * Parses a predictions-topic value.
     *
     * @throws IllegalArgumentException naming the missing or malformed field
     */
    public static Prediction parse(String json) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("prediction is not valid JSON: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("prediction must be a JSON object");
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        JsonNode probabilityNode = required(root, PROBABILITIES);
        if (!probabilityNode.isObject()) {
            throw new IllegalArgumentException("prediction field '" + PROBABILITIES + "' must be an object");
        }
        probabilityNode.fields().forEachRemaining(e -> probabilities.put(e.getKey(), e.getValue().asDouble()));
        List<String> path = new ArrayList<>();
        JsonNode pathNode = root.get(DECISION_PATH);
        if (pathNode != null && pathNode.isArray()) {
            pathNode.forEach(step -> path.add(step.asText()));
        }
        return new Prediction(required(root, EVENT_ID).asText(), required(root, PREDICTED_CLASS).asText(),
                probabilities, required(root, MODEL_VERSION).asText(), required(root, BATCH_ID).asLong(),
                instant(root, EVENT_TIME), instant(root, SCORED_AT), path);
    }

    /** The JSON the streaming job writes for this prediction, as text. */
    public String toJson() {
        return new String(toJsonBytes(), StandardCharsets.UTF_8);
    }

    /**
     * The JSON the streaming job writes for this prediction, UTF-8 encoded: the predictions topic's value (written
     * field by field straight to bytes: it runs once per event).
     */
    public byte[] toJsonBytes() {
        ByteArrayBuilder out = new ByteArrayBuilder(256);
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out, JsonEncoding.UTF8)) {
            writeTo(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void writeTo(JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeStringField(EVENT_ID, eventId);
        json.writeStringField(PREDICTED_CLASS, predictedClass);
        json.writeObjectFieldStart(PROBABILITIES);
        for (Map.Entry<String, Double> probability : probabilities.entrySet()) {
            json.writeNumberField(probability.getKey(), probability.getValue());
        }
        json.writeEndObject();
        json.writeStringField(MODEL_VERSION, modelVersion);
        json.writeNumberField(BATCH_ID, batchId);
        json.writeStringField(EVENT_TIME, IsoInstants.format(eventTime));
        json.writeStringField(SCORED_AT, IsoInstants.format(scoredAt));
        if (!decisionPath.isEmpty()) {
            json.writeArrayFieldStart(DECISION_PATH);
            for (String step : decisionPath) {
                json.writeString(step);
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    /**
     * Writes predictions as {@link #toJsonBytes()} does, byte for byte, into one buffer kept from one prediction to the
     * next: for a task that writes one per event. Jackson's generator was a seventh of the job's per-event time (its
     * per-value state checks, escaping tables and a second buffer); the shape here is fixed, so text that needs no
     * escaping (printable ASCII without quotes or backslashes) and finite probabilities are copied straight in, and a
     * prediction holding anything else is written by {@link #toJsonBytes()}. Not thread-safe: one per task.
     */
    public static final class Writer {

        private static final byte[] EVENT_ID_FIELD = field("{", EVENT_ID);
        private static final byte[] PREDICTED_CLASS_FIELD = field(",", PREDICTED_CLASS);
        private static final byte[] PROBABILITIES_FIELD = field(",", PROBABILITIES);
        private static final byte[] MODEL_VERSION_FIELD = field(",", MODEL_VERSION);
        private static final byte[] BATCH_ID_FIELD = field(",", BATCH_ID);
        private static final byte[] EVENT_TIME_FIELD = field(",", EVENT_TIME);
        private static final byte[] SCORED_AT_FIELD = field(",", SCORED_AT);
        private static final byte[] DECISION_PATH_FIELD = field(",", DECISION_PATH);

        private byte[] buffer = new byte[512];
        private int length;
        /** The last scoring time written and its text (a batch's predictions share it). */
        private Instant lastScoredAt;
        private String lastScoredAtText;

        /** The prediction's JSON, UTF-8 encoded: the bytes {@link #toJsonBytes()} gives. */
        public byte[] write(Prediction prediction) {
            length = 0;
            if (!writeFast(prediction)) {
                return prediction.toJsonBytes();
            }
            return Arrays.copyOf(buffer, length);
        }

        private boolean writeFast(Prediction p) {
            append(EVENT_ID_FIELD);
            if (!string(p.eventId)) {
                return false;
            }
            append(PREDICTED_CLASS_FIELD);
            if (!string(p.predictedClass)) {
                return false;
            }
            append(PROBABILITIES_FIELD);
            append('{');
            boolean first = true;
            for (Map.Entry<String, Double> probability : p.probabilities.entrySet()) {
                double value = probability.getValue();
                if (!Double.isFinite(value)) {
                    return false;
                }
                if (!first) {
                    append(',');
                }
                first = false;
                if (!string(probability.getKey())) {
                    return false;
                }
                append(':');
                ascii(NumberOutput.toString(value, true));
            }
            append('}');
            append(MODEL_VERSION_FIELD);
            if (!string(p.modelVersion)) {
                return false;
            }
            append(BATCH_ID_FIELD);
            ascii(Long.toString(p.batchId));
            append(EVENT_TIME_FIELD);
            append('"');
            ascii(IsoInstants.format(p.eventTime));
            append('"');
            if (!p.scoredAt.equals(lastScoredAt)) {
                lastScoredAtText = IsoInstants.format(p.scoredAt);
                lastScoredAt = p.scoredAt;
            }
            append(SCORED_AT_FIELD);
            append('"');
            ascii(lastScoredAtText);
            append('"');
            if (!p.decisionPath.isEmpty()) {
                append(DECISION_PATH_FIELD);
                append('[');
                for (int i = 0; i < p.decisionPath.size(); i++) {
                    if (i > 0) {
                        append(',');
                    }
                    if (!string(p.decisionPath.get(i))) {
                        return false;
                    }
                }
                append(']');
            }
            append('}');
            return true;
        }

        /** {@code text} quoted, when it needs no escaping: printable ASCII other than a quote or backslash. */
        private boolean string(String text) {
            ensure(text.length() + 2);
            byte[] out = buffer;
            int at = length;
            out[at++] = '"';
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                    return false;
                }
                out[at++] = (byte) c;
            }
            out[at++] = '"';
            length = at;
            return true;
        }

        /** Text known to be ASCII (numbers, instants). */
        private void ascii(String text) {
            ensure(text.length());
            for (int i = 0; i < text.length(); i++) {
                buffer[length++] = (byte) text.charAt(i);
            }
        }

        private void append(byte[] bytes) {
            ensure(bytes.length);
            System.arraycopy(bytes, 0, buffer, length, bytes.length);
            length += bytes.length;
        }

        private void append(char c) {
            ensure(1);
            buffer[length++] = (byte) c;
        }

        private void ensure(int more) {
            if (length + more > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
            }
        }

        private static byte[] field(String before, String name) {
            return (before + "\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static JsonNode required(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("prediction has no '" + field + "'");
        }
        return node;
    }

    private static Instant instant(JsonNode root, String field) {
        String text = required(root, field).asText();
        try {
            return IsoInstants.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("prediction field '" + field + "' is not an ISO-8601 instant: '" + text + "'", e);
        }
    }
}
