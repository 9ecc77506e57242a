package dev.streamtree.monitor.join;

import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.accuracy.LabelledPrediction;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Joins predictions with labels in whichever order they arrive, and decides when a prediction becomes a
 * {@link LabelledPrediction}: the moment both it and a label of its event have been seen. Plain Java, no I/O, not
 * thread-safe (the monitor feeds it from its one consumer thread).
 *
 * <p>Rules:
 * <ul>
 *   <li>Predictions are de-duplicated on {@code (event_id, model_version, batch_id)} (the predictions topic is
 *       at-least-once); a duplicate is counted and dropped.</li>
 *   <li>A label is kept after its first join, so a later prediction of the same event (another version, another
 *       batch) joins too. Of two labels of one event the latest wins ({@link LabelRecord#supersedes}); a stale one is
 *       counted and dropped. A label that replaces one already joined is used for later predictions only: the monitor's
 *       counts are append-only and are not revised (counted as {@link Counts#correctionsAfterJoin()}).</li>
 *   <li>A label before its prediction (or its event) waits; so does a prediction before its label. Each side is
 *       bounded: at most {@code labelCapacity} labels and {@code predictionCapacity} unlabelled predictions are held,
 *       the oldest (by arrival) evicted first and counted. The de-duplication memory holds the keys of the last
 *       {@code predictionCapacity} predictions.</li>
 * </ul>
 */
public final class LabelJoin {

    /** Default of both capacities: a minute of labels or predictions at 5,000 events/s. */
    public static final int DEFAULT_CAPACITY = 300_000;

    private final int labelCapacity;
    private final int predictionCapacity;
    private final LinkedHashMap<String, HeldLabel> labels = new LinkedHashMap<>();
    private final LinkedHashMap<String, List<Prediction>> unlabelled = new LinkedHashMap<>();
    private final LinkedHashMap<PredictionKey, Boolean> seen;
    private long unlabelledCount;
    private long waitingLabels;
    private long joined;
    private long duplicates;
    private long staleLabels;
    private long corrections;
    private long labelsEvicted;
    private long predictionsEvicted;

    /**
     * @param labelCapacity      most labels held (joined ones kept for later predictions, and those still waiting)
     * @param predictionCapacity most unlabelled predictions held, and most prediction keys remembered to de-duplicate
     */
    public LabelJoin(int labelCapacity, int predictionCapacity) {
        if (labelCapacity < 1 || predictionCapacity < 1) {
            throw new IllegalArgumentException("join capacities must be at least 1, got labels " + labelCapacity
                    + ", predictions " + predictionCapacity);
        }
        this.labelCapacity = labelCapacity;
        this.predictionCapacity = predictionCapacity;
        this.seen = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<PredictionKey, Boolean> eldest) {
                return size() > LabelJoin.this.predictionCapacity;
            }
        };
    }

    public LabelJoin() {
        this(DEFAULT_CAPACITY, DEFAULT_CAPACITY);
    }

    /**
     * Takes one prediction.
     *
     * @return the labelled prediction when its event's label is already here, else nothing (it waits, or was a
     *         duplicate)
     * @throws IllegalArgumentException when its model version is not a registry version id (nothing is held then)
     */
    public List<LabelledPrediction> prediction(Prediction prediction) {
        VersionId.parse(prediction.modelVersion());
        PredictionKey key = new PredictionKey(prediction.eventId(), prediction.modelVersion(), prediction.batchId());
        if (seen.containsKey(key)) {
            duplicates++;
            return List.of();
        }
        seen.put(key, Boolean.TRUE);
        HeldLabel label = labels.get(prediction.eventId());
        if (label != null) {
            markJoined(label);
            joined++;
            return List.of(labelled(prediction, label.record));
        }
        unlabelled.computeIfAbsent(prediction.eventId(), id -> new ArrayList<>(1)).add(prediction);
        unlabelledCount++;
        while (unlabelledCount > predictionCapacity) {
            Iterator<Map.Entry<String, List<Prediction>>> oldest = unlabelled.entrySet().iterator();
            List<Prediction> evicted = oldest.next().getValue();
            oldest.remove();
            unlabelledCount -= evicted.size();
            predictionsEvicted += evicted.size();
        }
        return List.of();
    }

    /**
     * Takes one label.
     *
     * @return the predictions of its event that were waiting for it, now labelled (empty when none were)
     */
    public List<LabelledPrediction> label(LabelRecord label) {
        HeldLabel held = labels.get(label.eventId());
        if (held != null) {
            if (!label.supersedes(held.record)) {
                staleLabels++;
                return List.of();
            }
            if (held.joined && !held.record.label().equals(label.label())) {
                corrections++;
            }
            held.record = label;
        } else {
            held = new HeldLabel(label);
            labels.put(label.eventId(), held);
            waitingLabels++;
            evictLabels();
        }
        List<Prediction> waiting = unlabelled.remove(label.eventId());
        if (waiting == null) {
            return List.of();
        }
        unlabelledCount -= waiting.size();
        markJoined(held);
        List<LabelledPrediction> out = new ArrayList<>(waiting.size());
        for (Prediction p : waiting) {
            out.add(labelled(p, label));
        }
        joined += out.size();
        return out;
    }

    private void evictLabels() {
        while (labels.size() > labelCapacity) {
            Iterator<Map.Entry<String, HeldLabel>> oldest = labels.entrySet().iterator();
            HeldLabel evicted = oldest.next().getValue();
            oldest.remove();
            if (!evicted.joined) {
                waitingLabels--;
                labelsEvicted++;
            }
        }
    }

    private void markJoined(HeldLabel label) {
        if (!label.joined) {
            label.joined = true;
            waitingLabels--;
        }
    }

    private static LabelledPrediction labelled(Prediction p, LabelRecord label) {
        return new LabelledPrediction(VersionId.parse(p.modelVersion()), p.predictedClass(), label.label(), p.eventTime());
    }

    /** The join's counters at this moment. */
    public Counts counts() {
        return new Counts(joined, waitingLabels, unlabelledCount, duplicates, staleLabels, corrections, labelsEvicted,
                predictionsEvicted);
    }

    /**
     * @param joined               labelled predictions produced
     * @param labelsWaiting        labels held that no prediction has joined yet
     * @param predictionsWaiting   predictions held without a label
     * @param duplicatePredictions predictions dropped as duplicates of (event id, version, batch id)
     * @param staleLabels          labels dropped because a later one of the same event was already held
     * @param correctionsAfterJoin labels that changed an event's class after a prediction had been counted with the old one
     * @param labelsEvicted        labels dropped unjoined because {@code labelCapacity} was reached
     * @param predictionsEvicted   predictions dropped unlabelled because {@code predictionCapacity} was reached
     */
    public record Counts(long joined, long labelsWaiting, long predictionsWaiting, long duplicatePredictions,
                         long staleLabels, long correctionsAfterJoin, long labelsEvicted, long predictionsEvicted) {
    }

    private record PredictionKey(String eventId, String version, long batchId) {
        PredictionKey {
            Objects.requireNonNull(eventId, "eventId");
            Objects.requireNonNull(version, "version");
        }
    }

    private static final class HeldLabel {
        LabelRecord record;
        boolean joined;

        HeldLabel(LabelRecord record) {
            this.record = record;
        }
    }
}
