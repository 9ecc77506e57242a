package dev.streamtree.launcher.demo;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Scores predictions against the labels the generator produced: accuracy per event-time bucket and model
 * version, the latest rolling accuracy, and bookkeeping that shows whether any event was scored twice or never.
 *
 * <p>Predictions are at-least-once; a repeat of the same (event id, model version, batch id) is counted once.
 * Thread-safe: the generator records labels on one thread, the predictions consumer scores on another.
 */
public final class AccuracyTimeline {

    /** What the generator knew about an event. */
    public record Truth(String label, Instant eventTime, int function) {
    }

    /** Accuracy of one model version over one bucket of event time. */
    public record Bucket(long startSecond, String version, long total, long correct) {
        public double accuracy() {
            return total == 0 ? Double.NaN : correct / (double) total;
        }
    }

    private final Instant origin;
    private final Duration bucketWidth;
    private final Map<String, Truth> truths = new ConcurrentHashMap<>();
    private final Set<String> seenPredictions = new HashSet<>();
    private final Map<String, String> firstVersionById = new ConcurrentHashMap<>();
    private final Map<Long, Map<String, long[]>> buckets = new TreeMap<>();
    private long duplicates;
    private long rescoredByAnotherBatch;
    private long unknownEvents;

    public AccuracyTimeline(Instant origin, Duration bucketWidth) {
        this.origin = origin;
        this.bucketWidth = bucketWidth;
    }

    public void recordTruth(String eventId, Truth truth) {
        truths.put(eventId, truth);
    }

    public int truths() {
        return truths.size();
    }

    /** Scores one prediction; returns false when it is a repeat or names an event the generator never sent. */
    public synchronized boolean recordPrediction(String eventId, String predictedClass, String version, long batchId) {
        if (!seenPredictions.add(eventId + '\u0000' + version + '\u0000' + batchId)) {
            duplicates++;
            return false;
        }
        Truth truth = truths.get(eventId);
        if (truth == null) {
            unknownEvents++;
            return false;
        }
        if (firstVersionById.putIfAbsent(eventId, version) != null) {
            rescoredByAnotherBatch++;
        }
        long bucket = secondsSinceOrigin(truth.eventTime()) / bucketWidth.toSeconds() * bucketWidth.toSeconds();
        long[] counts = buckets.computeIfAbsent(bucket, b -> new TreeMap<>()).computeIfAbsent(version, v -> new long[2]);
        counts[0]++;
        if (truth.label().equals(predictedClass)) {
            counts[1]++;
        }
        return true;
    }

    public long secondsSinceOrigin(Instant at) {
        return Duration.between(origin, at).toSeconds();
    }

    /** Every bucket, oldest first, one entry per version that scored events in it. */
    public synchronized List<Bucket> buckets() {
        List<Bucket> out = new ArrayList<>();
        buckets.forEach((start, byVersion) -> byVersion.forEach((version, c) -> out.add(new Bucket(start, version, c[0], c[1]))));
        return out;
    }

    /** Accuracy over events whose event time lies in [from, to) seconds since the origin, all versions together. */
    public synchronized double accuracyBetween(long fromSecond, long toSecond) {
        long total = 0;
        long correct = 0;
        for (var entry : buckets.entrySet()) {
            if (entry.getKey() >= fromSecond && entry.getKey() + bucketWidth.toSeconds() <= toSecond) {
                for (long[] c : entry.getValue().values()) {
                    total += c[0];
                    correct += c[1];
                }
            }
        }
        return total == 0 ? Double.NaN : correct / (double) total;
    }

    /** Events with at least one prediction. */
    public int predictedEvents() {
        return firstVersionById.size();
    }

    public boolean hasPrediction(String eventId) {
        return firstVersionById.containsKey(eventId);
    }

    /** Events the generator sent at or after {@code since} (event time). */
    public List<String> eventsSince(Instant since) {
        return truths.entrySet().stream().filter(e -> !e.getValue().eventTime().isBefore(since)).map(Map.Entry::getKey).toList();
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    /** Events scored in more than one micro-batch (a replay after a failure; zero in a clean run). */
    public synchronized long rescoredByAnotherBatch() {
        return rescoredByAnotherBatch;
    }

    public synchronized long unknownEvents() {
        return unknownEvents;
    }
}
