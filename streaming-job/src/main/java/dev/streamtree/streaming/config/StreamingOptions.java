package dev.streamtree.streaming.config;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;

import java.time.Duration;

/**
 * The command-line flags only the streaming job takes, with their defaults; the flags it shares with the retrain job
 * are {@link JobOptions}'. {@link dev.streamtree.streaming.StreamingCommand} and {@link StreamingConfig}'s
 * messages read these constants, so the names exist once.
 */
public final class StreamingOptions {

    public static final String CHECKPOINT = "--checkpoint";
    public static final String TRIGGER_INTERVAL = "--trigger-interval";
    public static final String MAX_OFFSETS_PER_TRIGGER = "--max-offsets-per-trigger";
    public static final String STARTING_OFFSETS = "--starting-offsets";
    public static final String EXPLAIN = "--explain";
    /**
     * How often the lake's committer adds the journaled micro-batches to the Iceberg table (docs/lake.md): the
     * most a lake reader (the retrain, Athena) lags behind the stream.
     */
    public static final String LAKE_COMMIT_INTERVAL = "--lake-commit-interval";

    public static final String DEFAULT_CHECKPOINT = "work/checkpoints/streaming";
    public static final String DEFAULT_TRIGGER_INTERVAL = "2s";
    public static final String DEFAULT_STARTING_OFFSETS = "earliest";
    /**
     * 10 s: the demo retrains every 45 s on the latest 45 s of rows, so at most a fifth of them is not yet visible;
     * a commit (about 100 ms on a local disk, docs/lake.md) takes 1% of the committer thread's time; 8,640
     * snapshots a day, which snapshot expiry must keep in check.
     */
    public static final String DEFAULT_LAKE_COMMIT_INTERVAL = "10s";

    /** The name of the streaming query, in Spark's UI and logs. */
    /**
     * Spark SQL setting the job turns on: the query reports its rates, latency and state to Spark's metrics system
     * (source {@code spark.streaming.<query name>}), where a configured sink such as the PrometheusServlet shows them.
     */
    public static final String SPARK_STREAMING_METRICS = "spark.sql.streaming.metricsEnabled";

    public static final String QUERY_NAME = "streamtree-streaming";
    /** The labels query's name; its checkpoint is {@link #LABELS_CHECKPOINT} under the events query's. */
    public static final String LABELS_QUERY_NAME = "streamtree-labels";
    public static final String LABELS_CHECKPOINT = "labels";
    /**
     * Real-time mode's query that lands the real-time predictions in the predictions table; its checkpoint is
     * {@link #PREDICTIONS_CHECKPOINT} under the lake query's.
     */
    public static final String PREDICTIONS_QUERY_NAME = "streamtree-predictions-landing";
    public static final String PREDICTIONS_CHECKPOINT = "predictions";

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
