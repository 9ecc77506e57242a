package dev.streamtree.monitor;

import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.accuracy.AccuracySnapshot;
import dev.streamtree.monitor.accuracy.LabelledPrediction;
import dev.streamtree.monitor.accuracy.VersionAccuracy;
import dev.streamtree.monitor.drift.ChangePoint;
import dev.streamtree.monitor.drift.DriftDetector;
import dev.streamtree.monitor.drift.DriftSignal;
import dev.streamtree.monitor.drift.EventTimeLog;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Live accuracy and drift detection for every model version that has labelled predictions: decides, for
 * each labelled prediction in label-arrival order, whether its version's error stream has just changed, and
 * if so where the change started in event time.
 *
 * <p>Each version gets its own {@link VersionAccuracy}, its own detector from the factory (fed 1 for a wrong
 * prediction, 0 for a right one) and its own {@link EventTimeLog}. Methods are synchronized, so one thread
 * can feed it while another publishes snapshots.
 *
 * <p>Only changes for the worse are reported, and each once. A firing where the error fell (ADWIN watches both
 * directions) is no reason to retrain: it is counted ({@link #fallingFirings(VersionId)}) but not reported.
 * ADWIN also fires again while it sheds the rest of the old regime from its window, and those later firings
 * point at the same change: a firing whose change index lies at or before the item on which the version's
 * previous reported detection fired is counted ({@link #repeatedFirings(VersionId)}) but not reported.
 */
public final class LiveAccuracy {

    private final int window;
    private final Supplier<? extends DriftDetector> detectors;
    private final int eventTimeCapacity;
    private final Clock clock;
    private final Map<VersionId, Watch> watches = new LinkedHashMap<>();

    /**
     * @param window            N, the recent-accuracy window
     * @param detectors         makes one fresh detector per version
     * @param eventTimeCapacity how many event times per version may be held to place a change point
     * @param clock             stamps {@link DriftDetection#detectedAt()}
     */
    public LiveAccuracy(int window, Supplier<? extends DriftDetector> detectors, int eventTimeCapacity, Clock clock) {
        if (window < 1) {
            throw new IllegalArgumentException("accuracy window must hold at least 1 prediction, got " + window);
        }
        if (eventTimeCapacity < 1) {
            throw new IllegalArgumentException("event time log capacity must be at least 1, got " + eventTimeCapacity);
        }
        this.window = window;
        this.detectors = Objects.requireNonNull(detectors, "detectors");
        this.eventTimeCapacity = eventTimeCapacity;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public LiveAccuracy(Supplier<? extends DriftDetector> detectors, Clock clock) {
        this(VersionAccuracy.DEFAULT_WINDOW, detectors, EventTimeLog.DEFAULT_CAPACITY, clock);
    }

    /**
     * Counts one labelled prediction.
     *
     * @return the drift its version's detector found on this prediction, if any
     */
    public synchronized Optional<DriftDetection> record(LabelledPrediction labelled) {
        Watch watch = watches.computeIfAbsent(labelled.version(),
                v -> new Watch(new VersionAccuracy(v, window), detectors.get(), new EventTimeLog(eventTimeCapacity)));
        watch.accuracy.record(labelled);
        DriftDetector detector = watch.detector;
        watch.eventTimes.append(detector.itemsSeen(), labelled.eventTime());
        Optional<DriftDetection> detection = Optional.empty();
        if (detector.add(labelled.correct() ? 0 : 1)) {
            DriftSignal signal = detector.lastDrift().orElseThrow();
            if (signal.meanAfter() <= signal.meanBefore()) {
                watch.falls++;
            } else if (signal.changeIndex() <= watch.lastReportedAt) {
                watch.repeats++;
            } else {
                watch.lastReportedAt = signal.detectedAtIndex();
                ChangePoint changePoint = watch.eventTimes.changePoint(signal);
                detection = Optional.of(new DriftDetection(labelled.version(), detector.name(), clock.instant(),
                        changePoint.eventTime(), changePoint.exact(), signal.meanBefore(), signal.meanAfter(),
                        detector.itemsSeen(), signal.itemsAfter()));
            }
        }
        watch.eventTimes.trimBefore(detector.earliestChangeIndex());
        return detection;
    }

    public synchronized Optional<AccuracySnapshot> snapshot(VersionId version) {
        Watch watch = watches.get(version);
        return watch == null ? Optional.empty() : Optional.of(watch.accuracy.snapshot());
    }

    /** Snapshots of every version with labelled predictions, in the order they first had one. */
    public synchronized List<AccuracySnapshot> snapshots() {
        List<AccuracySnapshot> out = new ArrayList<>();
        watches.values().forEach(w -> out.add(w.accuracy.snapshot()));
        return out;
    }

    /** Stops watching a version (one that no longer serves and whose late labels no longer matter). */
    public synchronized void forget(VersionId version) {
        watches.remove(version);
    }

    /** Detector firings of this version that repeated an already reported change. */
    public synchronized long repeatedFirings(VersionId version) {
        Watch watch = watches.get(version);
        return watch == null ? 0 : watch.repeats;
    }

    /** Detector firings of this version where its error fell. */
    public synchronized long fallingFirings(VersionId version) {
        Watch watch = watches.get(version);
        return watch == null ? 0 : watch.falls;
    }

    private static final class Watch {
        final VersionAccuracy accuracy;
        final DriftDetector detector;
        final EventTimeLog eventTimes;
        long lastReportedAt = -1;
        long repeats;
        long falls;

        Watch(VersionAccuracy accuracy, DriftDetector detector, EventTimeLog eventTimes) {
            this.accuracy = accuracy;
            this.detector = detector;
            this.eventTimes = eventTimes;
        }
    }
}
