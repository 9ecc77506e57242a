package dev.streamtree.monitor.accuracy;

import dev.streamtree.common.registry.VersionId;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Live accuracy of one model version: over its last N labelled predictions (a ring buffer) and since it was
 * promoted, each with per-class recall. Counts are kept incrementally, so a record and a snapshot cost
 * O(1) and O(classes). Not thread-safe.
 */
public final class VersionAccuracy {

    public static final int DEFAULT_WINDOW = 1000;

    private final VersionId version;
    private final String[] predicted;
    private final String[] actual;
    private int next;
    private int filled;
    private long windowCorrect;
    private long total;
    private long correct;
    /** Per true class: {labelled, correct}. */
    private final Map<String, long[]> windowByClass = new HashMap<>();
    private final Map<String, long[]> allByClass = new HashMap<>();
    private Instant latestEventTime;

    public VersionAccuracy(VersionId version) {
        this(version, DEFAULT_WINDOW);
    }

    public VersionAccuracy(VersionId version, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("accuracy window must hold at least 1 prediction, got " + window);
        }
        this.version = version;
        this.predicted = new String[window];
        this.actual = new String[window];
    }

    public VersionId version() {
        return version;
    }

    /**
     * Counts one labelled prediction of this version.
     *
     * @throws IllegalArgumentException when it belongs to another version
     */
    public void record(LabelledPrediction labelled) {
        if (!labelled.version().equals(version)) {
            throw new IllegalArgumentException("prediction of " + labelled.version() + " fed to the accuracy of " + version);
        }
        if (filled == predicted.length) {
            forget(predicted[next], actual[next]);
        } else {
            filled++;
        }
        predicted[next] = labelled.predictedClass();
        actual[next] = labelled.trueClass();
        next = (next + 1) % predicted.length;

        boolean right = labelled.correct();
        int hit = right ? 1 : 0;
        windowCorrect += hit;
        count(windowByClass, labelled.trueClass(), hit);
        total++;
        correct += hit;
        count(allByClass, labelled.trueClass(), hit);
        if (latestEventTime == null || labelled.eventTime().isAfter(latestEventTime)) {
            latestEventTime = labelled.eventTime();
        }
    }

    /** Labelled predictions and correct ones since this version's first. */
    public Tally sinceFirst() {
        return new Tally(total, correct);
    }

    public AccuracySnapshot snapshot() {
        return new AccuracySnapshot(version, predicted.length, new Tally(filled, windowCorrect), new Tally(total, correct),
                tallies(windowByClass), tallies(allByClass), latestEventTime);
    }

    private void forget(String oldPredicted, String oldActual) {
        int hit = oldPredicted.equals(oldActual) ? 1 : 0;
        windowCorrect -= hit;
        long[] counts = windowByClass.get(oldActual);
        counts[0]--;
        counts[1] -= hit;
        if (counts[0] == 0) {
            windowByClass.remove(oldActual);
        }
    }

    private static void count(Map<String, long[]> byClass, String trueClass, int hit) {
        long[] counts = byClass.computeIfAbsent(trueClass, c -> new long[2]);
        counts[0]++;
        counts[1] += hit;
    }

    private static Map<String, Tally> tallies(Map<String, long[]> byClass) {
        Map<String, Tally> out = new HashMap<>();
        byClass.forEach((c, counts) -> out.put(c, new Tally(counts[0], counts[1])));
        return out;
    }
}
