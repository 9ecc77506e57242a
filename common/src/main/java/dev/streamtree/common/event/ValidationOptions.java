package dev.streamtree.common.event;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Limits applied to every event, beyond what the schema says.
 *
 * @param maxRecordBytes largest accepted record, in bytes of UTF-8 JSON
 * @param maxFutureSkew  how far past "now" an event time may lie (clock skew between producers)
 * @param earliest       the earliest accepted event time
 */
public record ValidationOptions(int maxRecordBytes, Duration maxFutureSkew, Instant earliest) implements Serializable {

    /** 1 MiB, Kafka's default max.message.bytes. */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1_048_576;
    public static final Duration DEFAULT_MAX_FUTURE_SKEW = Duration.ofDays(1);
    public static final Instant DEFAULT_EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

    public ValidationOptions {
        if (maxRecordBytes < 64) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 64, got " + maxRecordBytes);
        }
        if (maxFutureSkew == null || maxFutureSkew.isNegative()) {
            throw new IllegalArgumentException("maxFutureSkew must be zero or positive, got " + maxFutureSkew);
        }
        if (earliest == null) {
            throw new IllegalArgumentException("earliest event time is required");
        }
    }

    public static ValidationOptions defaults() {
        return new ValidationOptions(DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_FUTURE_SKEW, DEFAULT_EARLIEST);
    }
}
