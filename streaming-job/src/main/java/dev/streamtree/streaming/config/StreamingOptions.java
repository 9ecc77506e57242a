package dev.streamtree.streaming.config;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobDefaults;

import java.time.Duration;

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

    public static final String DEFAULT_SCHEMA = JobDefaults.SCHEMA;
    public static final String DEFAULT_LAKE = JobDefaults.LAKE;
    public static final String DEFAULT_REGISTRY = JobDefaults.REGISTRY;
    public static final String DEFAULT_CATALOG = JobDefaults.CATALOG;
    public static final String DEFAULT_DATABASE = JobDefaults.DATABASE;
    public static final String DEFAULT_TABLE = JobDefaults.TABLE;
    public static final String DEFAULT_CHECKPOINT = "work/checkpoints/streaming";
    public static final String DEFAULT_TRIGGER_INTERVAL = "2s";
    public static final String DEFAULT_STARTING_OFFSETS = "earliest";

    /** The name of the streaming query, in Spark's UI and logs. */
    public static final String QUERY_NAME = "streamtree-streaming";

    private StreamingOptions() {
    }

    /**
     * Parses a duration flag ({@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}; see {@link Durations}).
     *
     * @throws IllegalArgumentException naming the flag and the text when it is not a duration
     */
    public static Duration parseDuration(String text, String what) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " " + e.getMessage(), e);
        }
    }
}
