package dev.streamtree.common.prediction;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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

    /** The JSON the streaming job writes for this prediction (written field by field: it runs once per event). */
    public String toJson() {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = Json.mapper().getFactory().createGenerator(out)) {
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
            json.writeStringField(EVENT_TIME, eventTime.toString());
            json.writeStringField(SCORED_AT, scoredAt.toString());
            if (!decisionPath.isEmpty()) {
                json.writeArrayFieldStart(DECISION_PATH);
                for (String step : decisionPath) {
                    json.writeString(step);
                }
                json.writeEndArray();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
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
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("prediction field '" + field + "' is not an ISO-8601 instant: '" + text + "'", e);
        }
    }
}
