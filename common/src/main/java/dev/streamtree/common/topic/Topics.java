package dev.streamtree.common.topic;

import java.io.Serializable;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The four topics of the loop.
 *
 * @param events      validated events from producers, keyed by event id
 * @param deadLetters records the streaming job refused: original bytes, reason, source coordinates
 * @param predictions one prediction per event and model version, keyed by event id
 * @param control     retrain requests and their status events
 */
public record Topics(String events, String deadLetters, String predictions, String control) implements Serializable {

    public static final String DEFAULT_EVENTS = "streamtree.events";
    public static final String DEFAULT_DEAD_LETTERS = "streamtree.events.dlq";
    public static final String DEFAULT_PREDICTIONS = "streamtree.predictions";
    public static final String DEFAULT_CONTROL = "streamtree.control";

    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    public Topics {
        for (String topic : List.of(check(events, "events"), check(deadLetters, "dead-letter"),
                check(predictions, "predictions"), check(control, "control"))) {
            if (List.of(events, deadLetters, predictions, control).stream().filter(topic::equals).count() > 1) {
                throw new IllegalArgumentException("topic '" + topic + "' is used for two roles");
            }
        }
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_EVENTS, DEFAULT_DEAD_LETTERS, DEFAULT_PREDICTIONS, DEFAULT_CONTROL);
    }

    public List<String> all() {
        return List.of(events, deadLetters, predictions, control);
    }

    private static String check(String topic, String role) {
        if (topic == null || !LEGAL.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(role + " topic '" + topic
                    + "' is not a legal Kafka topic name (letters, digits, '.', '_', '-', at most 249)");
        }
        return topic;
    }
}
