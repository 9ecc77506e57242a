package dev.streamtree.ingest.generate;

import java.time.Duration;

/**
 * Which Agrawal function labels the stream, and when it switches (the concept drift).
 *
 * @param function      the function before the drift, 1..10
 * @param driftFunction the function after the drift, or 0 for no drift
 * @param atRecord      switch at this record index (0-based), or -1
 * @param after         switch once this much time has passed since the first record, or null
 */
public record DriftPlan(int function, int driftFunction, long atRecord, Duration after) {

    public DriftPlan {
        AgrawalFunction.check(function);
        if (driftFunction != 0) {
            AgrawalFunction.check(driftFunction);
            if (atRecord < 0 && after == null) {
                throw new IllegalArgumentException("a drift to function " + driftFunction
                        + " needs a record count or a time to happen at");
            }
        }
        if (after != null && after.isNegative()) {
            throw new IllegalArgumentException("drift time must not be negative, got " + after);
        }
    }

    public static DriftPlan none(int function) {
        return new DriftPlan(function, 0, -1, null);
    }

    /** The function for the record with this index, generated this long after the first. */
    public int functionAt(long index, Duration elapsed) {
        if (driftFunction == 0) {
            return function;
        }
        boolean drifted = atRecord >= 0 && index >= atRecord || after != null && elapsed.compareTo(after) >= 0;
        return drifted ? driftFunction : function;
    }
}
