package dev.streamtree.streaming.progress;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall time of the named phases of one micro-batch, for the batch log line ("lake 310, predictions 140").
 * Driver only; one instance per batch.
 */
public final class PhaseClock {

    private final Clock clock;
    private final long started;
    private final Map<String, Long> phases = new LinkedHashMap<>();
    private long lapStarted;

    public PhaseClock(Clock clock) {
        this.clock = clock;
        this.started = clock.millis();
        this.lapStarted = started;
    }

    /** Ends the phase running since the previous lap (or the start) and names it. */
    public void lap(String phase) {
        long now = clock.millis();
        phases.merge(phase, now - lapStarted, Long::sum);
        lapStarted = now;
    }

    /** Milliseconds of each phase so far, in the order they ran. */
    public Map<String, Long> phases() {
        return Map.copyOf(phases);
    }

    /** Milliseconds since the clock started. */
    public long total() {
        return clock.millis() - started;
    }

    @Override
    public String toString() {
        return phases.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }
}
