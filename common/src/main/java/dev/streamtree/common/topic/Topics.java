package dev.streamtree.common.topic;

import java.io.Serializable;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The topics of the loop.
 *
 * @param events       validated events from producers, keyed by event id
 * @param deadLetters  records the streaming job refused: original bytes, reason, source coordinates
 * @param predictions  one prediction per event and model version, keyed by event id
 * @param control      retrain requests, their status events and drift detections
 * @param labels       labels that arrive after their event ({@code LabelRecord}), keyed by event id
 * @param modelMetrics live accuracy per model version ({@code ModelMetrics}), keyed by version, published by the monitor
 *
 * <p>{@code labels} and {@code modelMetrics} take their defaults when null (configuration files that leave them out).
 */
public record Topics(String events, String deadLetters, String predictions, String control, String labels,
                     String modelMetrics) implements Serializable {

    public static final String DEFAULT_EVENTS = "streamtree.events";
    public static final String DEFAULT_DEAD_LETTERS = "streamtree.events.dlq";
    public static final String DEFAULT_PREDICTIONS = "streamtree.predictions";
    public static final String DEFAULT_CONTROL = "streamtree.control";
    public static final String DEFAULT_LABELS = "streamtree.labels";
    public static final String DEFAULT_MODEL_METRICS = "streamtree.model-metrics";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        // Configuration files written before the labels and model-metrics topics existed leave them out.
        labels = labels == null ? DEFAULT_LABELS : labels;
        modelMetrics = modelMetrics == null ? DEFAULT_MODEL_METRICS : modelMetrics;
        List<String> all = List.of(check(events, "events"), check(deadLetters, "dead-letter"),
                check(predictions, "predictions"), check(control, "control"), check(labels, "labels"),
                check(modelMetrics, "model-metrics"));
        for (String topic : all) {
            if (all.stream().filter(topic::equals).count() > 1) {
                throw new IllegalArgumentException("topic '" + topic + "' is used for two roles");
            }
        }
    }

    /** The four topics of the scoring path, with the default labels and model-metrics topics. */
    public Topics(String events, String deadLetters, String predictions, String control) {
        this(events, deadLetters, predictions, control, DEFAULT_LABELS, DEFAULT_MODEL_METRICS);
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_EVENTS, DEFAULT_DEAD_LETTERS, DEFAULT_PREDICTIONS, DEFAULT_CONTROL, DEFAULT_LABELS,
                DEFAULT_MODEL_METRICS);
    }

    public List<String> all() {
        return List.of(events, deadLetters, predictions, control, labels, modelMetrics);
    }

    private static String check(String topic, String role) {
        if (topic == null || !LEGAL.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(role + " topic '" + topic
                    + "' is not a legal Kafka topic name (letters, digits, '.', '_', '-', at most 249)");
        }
        return topic;
    }
}
