package dev.streamtree.launcher.demo;

import java.time.Instant;
import java.util.List;

/**
 * What a demo run did, written as {@code report.json} (for tests and tools) and rendered as {@code report.html}.
 *
 * @param startedAt               when generation started (the origin of every "second" below)
 * @param durationSeconds         how long events were generated
 * @param driftSecond             when the labelling function switched, or -1 for no drift
 * @param functionBefore          Agrawal function before the drift
 * @param functionAfter           Agrawal function after the drift (equal to before when no drift)
 * @param eventsGenerated         valid events produced
 * @param badRecordsSent          deliberately invalid records produced
 * @param deadLetters             records the streaming job sent to the dead-letter topic
 * @param lakeRows                rows in the lake table, read through the catalog
 * @param lakeDistinctIds         distinct event ids in the lake table
 * @param predictedEvents         events with at least one prediction
 * @param duplicatePredictions    repeated (event id, version, batch id) predictions seen (at-least-once repeats)
 * @param eventsAfterFirstModel   events generated after the first model was serving
 * @param missingAfterFirstModel  of those, events without any prediction
 * @param retrains                every retrain outcome, in order
 * @param accuracy                accuracy per bucket and model version, from the monitor's model-metrics records
 *                                (predictions whose labels arrived in the bucket)
 * @param preDriftAccuracy        the monitor's accuracy over the last 30 s before the drift
 * @param recoveredAccuracy       the monitor's accuracy after the first post-drift promotion has taken over (NaN if none)
 * @param currentVersion          the version serving at the end
 * @param currentTree             its tree, as rules
 * @param labelDelaySeconds       how long after its event each label was sent (0: labels inline)
 * @param drifts                  the monitor's drift detections, in order
 */
public record DemoReport(
        Instant startedAt,
        long durationSeconds,
        long driftSecond,
        int functionBefore,
        int functionAfter,
        long eventsGenerated,
        long badRecordsSent,
        long deadLetters,
        long lakeRows,
        long lakeDistinctIds,
        long predictedEvents,
        long duplicatePredictions,
        long eventsAfterFirstModel,
        long missingAfterFirstModel,
        List<Retrain> retrains,
        List<AccuracyTimeline.Bucket> accuracy,
        double preDriftAccuracy,
        double recoveredAccuracy,
        String currentVersion,
        String currentTree,
        long labelDelaySeconds,
        List<Drift> drifts) {

    public DemoReport {
        drifts = drifts == null ? List.of() : List.copyOf(drifts);
    }

    /** A report without label delay or drift detections (labels inline, before the monitor existed). */
    public DemoReport(Instant startedAt, long durationSeconds, long driftSecond, int functionBefore, int functionAfter,
                      long eventsGenerated, long badRecordsSent, long deadLetters, long lakeRows, long lakeDistinctIds,
                      long predictedEvents, long duplicatePredictions, long eventsAfterFirstModel,
                      long missingAfterFirstModel, List<Retrain> retrains, List<AccuracyTimeline.Bucket> accuracy,
                      double preDriftAccuracy, double recoveredAccuracy, String currentVersion, String currentTree) {
        this(startedAt, durationSeconds, driftSecond, functionBefore, functionAfter, eventsGenerated, badRecordsSent,
                deadLetters, lakeRows, lakeDistinctIds, predictedEvents, duplicatePredictions, eventsAfterFirstModel,
                missingAfterFirstModel, retrains, accuracy, preDriftAccuracy, recoveredAccuracy, currentVersion,
                currentTree, 0, List.of());
    }

    /**
     * One drift-detected record of the monitor.
     *
     * @param second            when it was detected, seconds since the start
     * @param version           the version whose error rate rose
     * @param detector          adwin or page-hinkley
     * @param changePointSecond the estimated change point (an event time), seconds since the start
     * @param errorBefore       error rate before the change point
     * @param errorAfter        error rate after it
     */
    public record Drift(long second, String version, String detector, double changePointSecond, double errorBefore,
                        double errorAfter) {
    }

    /** One retrain's final status, as published on the control topic. */
    public record Retrain(long second, String status, String version, String detail) {
        public boolean promoted() {
            return "promoted".equals(status);
        }
    }

    public long promotions() {
        return retrains.stream().filter(Retrain::promoted).count();
    }
}
