package dev.streamtree.streaming.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every command-line flag of the streaming job, with its default. {@link dev.streamtree.streaming.StreamingCommand}
 * and the launcher both read these constants so the names exist once.
 */
public final class StreamingOptions {

    public static final String BOOTSTRAP_SERVERS = "--bootstrap-servers";
    public static final String KAFKA_PROPERTIES = "--kafka-properties";
    public static final String SCHEMA = "--schema";
    public static final String LAKE = "--lake";
    public static final String REGISTRY = "--registry";
    public static final String CATALOG = "--catalog";
    public static final String DATABASE = "--database";
    public static final String TABLE = "--table";
    public static final String GLUE_REGION = "--glue-region";
    public static final String EVENTS_TOPIC = "--events-topic";
    public static final String PREDICTIONS_TOPIC = "--predictions-topic";
    public static final String DLQ_TOPIC = "--dlq-topic";
    public static final String CONTROL_TOPIC = "--control-topic";
    public static final String CHECKPOINT = "--checkpoint";
    public static final String TRIGGER_INTERVAL = "--trigger-interval";
    public static final String MAX_OFFSETS_PER_TRIGGER = "--max-offsets-per-trigger";
    public static final String STARTING_OFFSETS = "--starting-offsets";
    public static final String EXPLAIN = "--explain";

    public static final String DEFAULT_SCHEMA = "builtin:agrawal";
    public static final String DEFAULT_LAKE = "work/lake";
    public static final String DEFAULT_REGISTRY = "work/registry";
    public static final String DEFAULT_CATALOG = "local";
    public static final String DEFAULT_DATABASE = "streamtree";
    public static final String DEFAULT_TABLE = "events";
    public static final String DEFAULT_CHECKPOINT = "work/checkpoints/streaming";
    public static final String DEFAULT_TRIGGER_INTERVAL = "2s";
    public static final String DEFAULT_STARTING_OFFSETS = "earliest";

    /** The name of the streaming query, in Spark's UI and logs. */
    public static final String QUERY_NAME = "streamtree-streaming";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private StreamingOptions() {
    }

    /**
     * Parses {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}.
     *
     * @throws IllegalArgumentException naming the text when it is not such a duration
     */
    public static Duration parseDuration(String text, String what) {
        Matcher m = text == null ? null : DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a duration like 500ms, 2s, 1m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }
}
