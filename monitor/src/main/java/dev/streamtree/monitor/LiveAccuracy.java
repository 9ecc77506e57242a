package dev.streamtree.monitor;

import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.accuracy.AccuracySnapshot;
import dev.streamtree.monitor.accuracy.LabelledPrediction;
import dev.streamtree.monitor.accuracy.Tally;
import dev.streamtree.monitor.accuracy.VersionAccuracy;
import dev.streamtree.monitor.drift.ChangePoint;
import dev.streamtree.monitor.drift.DriftDetector;
import dev.streamtree.monitor.drift.DriftSignal;
import dev.streamtree.monitor.drift.EventTimeLog;
import dev.streamtree.monitor.drift.HoldoutGap;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
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
 *
 * <p>A version that is wrong from its first prediction shows no change in its own error stream. With
 * {@link #checkingHoldouts} its first labelled predictions are also compared with its holdout accuracy
 * ({@link HoldoutGap}); a gap beyond chance is reported once, as a detection by {@value HoldoutGap#NAME} whose change
 * point is the earliest event time among those predictions. A version whose detector reported a change is no longer
 * checked against its holdout.
 */
public final class LiveAccuracy {

    private final int window;
    private final Supplier<? extends DriftDetector> detectors;
    private final int eventTimeCapacity;
    private final Clock clock;
    private final Map<VersionId, Watch> watches = new LinkedHashMap<>();
    private Function<VersionId, Optional<Holdout>> holdouts = v -> Optional.empty();
    private HoldoutGap gap = HoldoutGap.defaults();

    /**
     * What a version's own holdout said about it when it was trained.
     *
     * @param accuracy its accuracy on the holdout
     * @param rows     the holdout's rows
     */
    public record Holdout(double accuracy, long rows) {
        public Holdout {
            if (!(accuracy >= 0 && accuracy <= 1) || rows < 1) {
                throw new IllegalArgumentException("holdout accuracy must be in [0, 1] over at least 1 row, got "
                        + accuracy + " over " + rows);
            }
        }
    }

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
     * Checks each version's first labelled predictions against its holdout ({@link HoldoutGap}); {@code lookup} is
     * asked once per version, when its first labelled prediction comes, and a version it knows nothing of (empty) is
     * not checked. Call before the first {@link #record}.
     */
    public synchronized LiveAccuracy checkingHoldouts(Function<VersionId, Optional<Holdout>> lookup, HoldoutGap check) {
        this.holdouts = Objects.requireNonNull(lookup, "lookup");
        this.gap = Objects.requireNonNull(check, "check");
        return this;
    }

    /**
     * Counts one labelled prediction.
     *
     * @return the drift its version's detector found on this prediction, if any
     */
    public synchronized Optional<DriftDetection> record(LabelledPrediction labelled) {
        Watch watch = watches.computeIfAbsent(labelled.version(),
                v -> new Watch(new VersionAccuracy(v, window), detectors.get(), new EventTimeLog(eventTimeCapacity),
                        holdouts.apply(v).orElse(null)));
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
                // A change within the version's service: its start is no change point, so the holdout check is over.
                watch.holdout = null;
                ChangePoint changePoint = watch.eventTimes.changePoint(signal);
                detection = Optional.of(new DriftDetection(labelled.version(), detector.name(), clock.instant(),
                        changePoint.eventTime(), changePoint.exact(), signal.meanBefore(), signal.meanAfter(),
                        detector.itemsSeen(), signal.itemsAfter()));
            }
        }
        watch.eventTimes.trimBefore(detector.earliestChangeIndex());
        if (detection.isEmpty()) {
            detection = checkHoldout(watch, labelled);
        }
        return detection;
    }

    /** Counts the version's early predictions and reports, once, an error beyond what its holdout promised. */
    private Optional<DriftDetection> checkHoldout(Watch watch, LabelledPrediction labelled) {
        Holdout holdout = watch.holdout;
        // The version's counts since its first labelled prediction: the check looks at its first ones only.
        Tally early = watch.accuracy.sinceFirst();
        if (holdout == null || early.total() > gap.maxLabelled()) {
            return Optional.empty();
        }
        if (watch.firstEventTime == null || labelled.eventTime().isBefore(watch.firstEventTime)) {
            watch.firstEventTime = labelled.eventTime();
        }
        double holdoutError = 1 - holdout.accuracy();
        long errors = early.total() - early.correct();
        if (!gap.exceeded(holdoutError, holdout.rows(), errors, early.total())) {
            return Optional.empty();
        }
        watch.holdout = null;
        // Wrong from the start: the change came before the version's first prediction, so its rows from the first
        // labelled event time on are post-change. Not exact: the change may lie further back.
        return Optional.of(new DriftDetection(labelled.version(), HoldoutGap.NAME, clock.instant(), watch.firstEventTime,
                false, holdoutError, (double) errors / early.total(), watch.detector.itemsSeen(), early.total()));
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
        /** The version's holdout figures while its early predictions are being checked; null when not (or no longer). */
        Holdout holdout;
        /** The earliest event time among the version's labelled predictions while it is checked. */
        Instant firstEventTime;

        Watch(VersionAccuracy accuracy, DriftDetector detector, EventTimeLog eventTimes, Holdout holdout) {
            this.accuracy = accuracy;
            this.detector = detector;
            this.eventTimes = eventTimes;
            this.holdout = holdout;
        }
    }
}
