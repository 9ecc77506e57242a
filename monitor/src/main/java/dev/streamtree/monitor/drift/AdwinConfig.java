package dev.streamtree.monitor.drift;

/**
 * Parameters of {@link Adwin}.
 *
 * @param delta              confidence: the probability of a false cut that the bound allows per check (the
 *                           paper's delta; smaller means fewer false alarms and slower detection)
 * @param bucketsPerRow      the paper's M: at most this many buckets of each size; memory and the number of
 *                           candidate cuts grow with it, as does the precision of the cut position
 * @param clock              check for a cut once every this many items (1 checks on every item)
 * @param minSubWindowLength neither side of a cut may hold fewer items than this
 */
public record AdwinConfig(double delta, int bucketsPerRow, int clock, int minSubWindowLength) {

    public static final double DEFAULT_DELTA = 0.002;
    public static final int DEFAULT_BUCKETS_PER_ROW = 5;
    public static final int DEFAULT_CLOCK = 32;
    public static final int DEFAULT_MIN_SUB_WINDOW_LENGTH = 5;

    public AdwinConfig {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("ADWIN delta must lie strictly between 0 and 1, got " + delta);
        }
        if (bucketsPerRow < 2) {
            throw new IllegalArgumentException("ADWIN buckets per row must be at least 2, got " + bucketsPerRow);
        }
        if (clock < 1) {
            throw new IllegalArgumentException("ADWIN clock must be at least 1 item, got " + clock);
        }
        if (minSubWindowLength < 1) {
            throw new IllegalArgumentException("ADWIN minimum sub-window length must be at least 1, got "
                    + minSubWindowLength);
        }
    }

    /** delta 0.002, M = 5, a check every 32 items, at least 5 items each side of a cut. */
    public static AdwinConfig defaults() {
        return new AdwinConfig(DEFAULT_DELTA, DEFAULT_BUCKETS_PER_ROW, DEFAULT_CLOCK, DEFAULT_MIN_SUB_WINDOW_LENGTH);
    }

    public AdwinConfig withDelta(double newDelta) {
        return new AdwinConfig(newDelta, bucketsPerRow, clock, minSubWindowLength);
    }

    public AdwinConfig withClock(int newClock) {
        return new AdwinConfig(delta, bucketsPerRow, newClock, minSubWindowLength);
    }
}
