package dev.streamtree.streaming.realtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Real-time mode's settings, next to the job's {@link dev.streamtree.streaming.config.StreamingConfig}.
 *
 * @param checkpointInterval how long a real-time batch runs (Spark's real-time trigger duration)
 * @param watchInterval      how often each executor reads the registry's current pointer
 * @param checkpoint         the scoring query's checkpoint location
 */
public record RealTimeConfig(Duration checkpointInterval, Duration watchInterval, String checkpoint) {

    public RealTimeConfig {
        requirePositive(checkpointInterval, RealTimeOptions.CHECKPOINT_INTERVAL);
        requirePositive(watchInterval, RealTimeOptions.MODEL_WATCH_INTERVAL);
        if (checkpoint == null || checkpoint.isBlank()) {
            throw new IllegalArgumentException(RealTimeOptions.CHECKPOINT + " must not be empty");
        }
        if (watchInterval.compareTo(checkpointInterval) >= 0) {
            throw new IllegalArgumentException(RealTimeOptions.MODEL_WATCH_INTERVAL + " " + watchInterval
                    + " must be shorter than " + RealTimeOptions.CHECKPOINT_INTERVAL + " " + checkpointInterval);
        }
    }

    /** The defaults, with the scoring checkpoint beside the lake query's {@code streamingCheckpoint}. */
    public static RealTimeConfig defaults(String streamingCheckpoint) {
        Objects.requireNonNull(streamingCheckpoint, "streaming checkpoint");
        return new RealTimeConfig(Duration.ofMinutes(5), Duration.ofMillis(100),
                beside(streamingCheckpoint));
    }

    /** The scoring checkpoint that goes with a lake query's checkpoint: a sibling directory. */
    public static String beside(String streamingCheckpoint) {
        String trimmed = streamingCheckpoint.endsWith("/")
                ? streamingCheckpoint.substring(0, streamingCheckpoint.length() - 1) : streamingCheckpoint;
        return trimmed + RealTimeOptions.CHECKPOINT_SUFFIX;
    }

    private static void requirePositive(Duration value, String flag) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
    }
}
