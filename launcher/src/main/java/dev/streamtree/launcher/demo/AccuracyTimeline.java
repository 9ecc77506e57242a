package dev.streamtree.launcher.demo;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bookkeeping of the demo's predictions against the events the generator produced: whether any event was scored twice
 * or never. Accuracy is not computed here: the demo's accuracy figures are the monitor's ({@link MonitorFigures}).
 *
 * <p>Predictions are at-least-once; a repeat of the same (event id, model version, batch id) is counted once.
 * Thread-safe: the generator records labels on one thread, the predictions consumer scores on another.
 */
public final class AccuracyTimeline {

    /** What the generator knew about an event. */
    public record Truth(String label, Instant eventTime, int function) {
    }

    /** Accuracy of one model version over one bucket of time (see {@link MonitorFigures}). */
    public record Bucket(long startSecond, String version, long total, long correct) {
        public double accuracy() {
            return total == 0 ? Double.NaN : correct / (double) total;
        }
    }

    private final Map<String, Truth> truths = new ConcurrentHashMap<>();
    private final Set<String> seenPredictions = new HashSet<>();
    private final Map<String, String> firstVersionById = new ConcurrentHashMap<>();
    private long duplicates;
    private long rescoredByAnotherBatch;
    private long unknownEvents;

    public void recordTruth(String eventId, Truth truth) {
        truths.put(eventId, truth);
    }

    public int truths() {
        return truths.size();
    }

    /** Records one prediction; returns false when it is a repeat or names an event the generator never sent. */
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
        return true;
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
