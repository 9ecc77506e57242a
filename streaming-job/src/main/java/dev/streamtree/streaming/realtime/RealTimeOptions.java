package dev.streamtree.streaming.realtime;

/**
 * The command-line flags of real-time mode, with their defaults ({@link RealTimeConfig} and
 * {@link dev.streamtree.streaming.StreamingCommand} read these constants).
 */
public final class RealTimeOptions {

    /** Score with a Spark real-time query instead of inside the micro-batch. */
    public static final String REAL_TIME = "--real-time";
    /**
     * How long one real-time batch runs before Spark checkpoints and starts the next (Spark's real-time trigger
     * duration); a failure replays up to this much of predictions and dead letters.
     */
    public static final String CHECKPOINT_INTERVAL = "--real-time-checkpoint-interval";
    /** How often each executor reads the registry's current pointer. */
    public static final String MODEL_WATCH_INTERVAL = "--model-watch-interval";
    /** The scoring query's own checkpoint location (the lake query keeps {@code --checkpoint}). */
    public static final String CHECKPOINT = "--real-time-checkpoint";

    public static final String DEFAULT_CHECKPOINT_INTERVAL = "5m";
    public static final String DEFAULT_MODEL_WATCH_INTERVAL = "100ms";
    /** Appended to {@code --checkpoint} when {@link #CHECKPOINT} is not given. */
    public static final String CHECKPOINT_SUFFIX = "-realtime";

    /** The scoring query's name, in Spark's UI and logs. */
    public static final String QUERY_NAME = "streamtree-realtime-scoring";

    private RealTimeOptions() {
    }
}
