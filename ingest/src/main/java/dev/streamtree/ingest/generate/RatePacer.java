package dev.streamtree.ingest.generate;

import java.util.concurrent.locks.LockSupport;

/**
 * Holds a steady rate by scheduling record n at {@code start + n / rate}: if the sender falls behind it catches
 * up without sleeping, so the long-run rate stays exact rather than drifting with each sleep's overshoot. A stall
 * longer than {@link #MAX_CATCH_UP_NANOS} (a GC pause, a blocked broker) is forgiven rather than repaid in a burst.
 */
public final class RatePacer {

    static final long MAX_CATCH_UP_NANOS = 1_000_000_000L;

    private final double nanosPerRecord;
    private long start = -1;
    private long issued;

    /** @param ratePerSecond records per second; 0 means unpaced */
    public RatePacer(double ratePerSecond) {
        if (ratePerSecond < 0 || Double.isNaN(ratePerSecond)) {
            throw new IllegalArgumentException("rate must be >= 0 records/s, got " + ratePerSecond);
        }
        this.nanosPerRecord = ratePerSecond == 0 ? 0 : 1e9 / ratePerSecond;
    }

    /** Blocks until the next record is due. */
    public void awaitNext() {
        if (nanosPerRecord == 0) {
            return;
        }
        long now = System.nanoTime();
        if (start < 0) {
            start = now;
        }
        long due = start + (long) (issued * nanosPerRecord);
        if (now - due > MAX_CATCH_UP_NANOS) {
            // Restart the schedule here: the records missed during the stall are not sent as a burst.
            start = now - (long) (issued * nanosPerRecord) + MAX_CATCH_UP_NANOS;
            due = start + (long) (issued * nanosPerRecord);
        }
        issued++;
        while (due - now > 0) {
            LockSupport.parkNanos(due - now);
            now = System.nanoTime();
        }
    }
}
