package dev.streamtree.retrain.schedule;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.control.ControlMessage.DriftDetected;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides which drift detections get a retrain, so that one drift gives one retrain: the first detection is
 * accepted; a later one is suppressed while it arrives within {@code cooldown} of the last accepted one, or when its
 * change point is not after that one's (the same change, seen again, for instance on another version or after a
 * restart of the monitor). Suppressed detections are counted. Thread-safe; state is in memory (a restarted
 * scheduler accepts the next detection).
 */
public final class DriftCooldown {

    /** What to do with a detection. */
    public record Decision(boolean retrain, String reason) {
    }

    private final Duration cooldown;
    private DriftDetected accepted;
    private Instant acceptedAt;
    private long suppressed;

    /** @param cooldown how long after an accepted detection further ones are suppressed; zero for none */
    public DriftCooldown(Duration cooldown) {
        Objects.requireNonNull(cooldown, "cooldown");
        if (cooldown.isNegative()) {
            throw new IllegalArgumentException("--drift-cooldown must not be negative, got " + Durations.format(cooldown));
        }
        this.cooldown = cooldown;
    }

    /**
     * @param detection the detection
     * @param now       when the scheduler received it
     */
    public synchronized Decision consider(DriftDetected detection, Instant now) {
        if (accepted != null) {
            Instant until = acceptedAt.plus(cooldown);
            if (now.isBefore(until)) {
                suppressed++;
                return new Decision(false, "within the cooldown of drift " + accepted.requestId() + " (accepted at "
                        + acceptedAt + ", cooldown " + Durations.format(cooldown) + ", until " + until + ")");
            }
            if (!detection.changePoint().isAfter(accepted.changePoint())) {
                suppressed++;
                return new Decision(false, "change point " + detection.changePoint() + " is not after the change point "
                        + accepted.changePoint() + " of drift " + accepted.requestId() + ", already retrained");
            }
        }
        accepted = detection;
        acceptedAt = now;
        return new Decision(true, "drift " + detection.requestId() + " on " + detection.version() + " by "
                + detection.detector() + ": error " + percent(detection.errorBefore()) + " -> "
                + percent(detection.errorAfter()) + ", change point " + detection.changePoint());
    }

    /** Detections suppressed so far. */
    public synchronized long suppressed() {
        return suppressed;
    }

    private static String percent(double rate) {
        return String.format(java.util.Locale.ROOT, "%.1f%%", rate * 100);
    }
}
