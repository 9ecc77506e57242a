package dev.streamtree.common.accuracy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One record of the model-metrics topic: the monitor's live accuracy of one model version, from its predictions
 * joined with labels as the labels arrive. Published every few seconds per version that has labelled predictions,
 * key = version. Counts are given with the rates so that a consumer can recompute or merge them.
 *
 * <p>JSON: {@code {"type":"model-metrics","model_version","at","window_size","window_labelled","window_correct",
 * "window_accuracy","labelled","correct","accuracy","recall":{"A":0.9,...},"newest_event_time","drift_detections"}}
 * (rates are null before the first label).
 *
 * @param modelVersion    the version the figures are for
 * @param at              when the monitor published them
 * @param windowSize      N, the size of the sliding window of labelled predictions
 * @param windowLabelled  labelled predictions in the window (at most N)
 * @param windowCorrect   of those, correct
 * @param labelled        labelled predictions since the version was promoted (or the monitor started)
 * @param correct         of those, correct
 * @param recall          per true class, recall over the window
 * @param newestEventTime the newest event time among the labelled predictions, or null
 * @param driftDetections drift detections reported for this version
 */
public record ModelMetrics(String modelVersion, Instant at, int windowSize, long windowLabelled, long windowCorrect,
                           long labelled, long correct, Map<String, Double> recall, Instant newestEventTime,
                           int driftDetections) {

    public static final String TYPE = "model-metrics";

    public ModelMetrics {
        Objects.requireNonNull(modelVersion, "model_version");
        Objects.requireNonNull(at, "at");
        if (windowCorrect > windowLabelled || correct > labelled || windowCorrect < 0 || correct < 0) {
            throw new IllegalArgumentException("model-metrics counts are inconsistent: window " + windowCorrect + "/"
                    + windowLabelled + ", total " + correct + "/" + labelled);
        }
        recall = Collections.unmodifiableMap(new LinkedHashMap<>(recall == null ? Map.of() : recall));
    }

    /** Accuracy over the window, NaN before the first label. */
    public double windowAccuracy() {
        return windowLabelled == 0 ? Double.NaN : (double) windowCorrect / windowLabelled;
    }

    /** Accuracy since promotion, NaN before the first label. */
    public double accuracy() {
        return labelled == 0 ? Double.NaN : (double) correct / labelled;
    }

    public byte[] toJson() {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("type", TYPE);
        node.put("model_version", modelVersion);
        node.put("at", at.toString());
        node.put("window_size", windowSize);
        node.put("window_labelled", windowLabelled);
        node.put("window_correct", windowCorrect);
        putRate(node, "window_accuracy", windowAccuracy());
        node.put("labelled", labelled);
        node.put("correct", correct);
        putRate(node, "accuracy", accuracy());
        ObjectNode recallNode = node.putObject("recall");
        recall.forEach((cls, rate) -> putRate(recallNode, cls, rate));
        if (newestEventTime != null) {
            node.put("newest_event_time", newestEventTime.toString());
        } else {
            node.putNull("newest_event_time");
        }
        node.put("drift_detections", driftDetections);
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @throws IllegalArgumentException when the value is not a model-metrics record or lacks a field
     */
    public static ModelMetrics parse(byte[] value) {
        JsonNode node;
        try {
            node = value == null ? null : Json.mapper().readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("model-metrics record is not JSON: "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (node == null || !node.isObject() || !TYPE.equals(node.path("type").asText())) {
            throw new IllegalArgumentException("not a model-metrics record: " + node);
        }
        Map<String, Double> recall = new LinkedHashMap<>();
        node.path("recall").fields().forEachRemaining(e -> recall.put(e.getKey(),
                e.getValue().isNumber() ? e.getValue().asDouble() : Double.NaN));
        try {
            return new ModelMetrics(text(node, "model_version"), Instant.parse(text(node, "at")),
                    node.path("window_size").asInt(), node.path("window_labelled").asLong(),
                    node.path("window_correct").asLong(), node.path("labelled").asLong(), node.path("correct").asLong(),
                    recall, node.hasNonNull("newest_event_time") ? Instant.parse(node.get("newest_event_time").asText()) : null,
                    node.path("drift_detections").asInt());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("model-metrics record has an invalid time: " + e.getParsedString(), e);
        }
    }

    private static void putRate(ObjectNode node, String field, double rate) {
        if (Double.isNaN(rate)) {
            node.putNull(field);
        } else {
            node.put(field, rate);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("model-metrics record lacks string field '" + field + "': " + node);
        }
        return value.asText();
    }
}
