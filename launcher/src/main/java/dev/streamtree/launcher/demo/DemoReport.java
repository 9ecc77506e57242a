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
 * @param accuracy                accuracy per bucket and model version
 * @param preDriftAccuracy        accuracy over the last 30 s before the drift
 * @param recoveredAccuracy       accuracy after the first post-drift promotion has taken over (NaN if none)
 * @param currentVersion          the version serving at the end
 * @param currentTree             its tree, as rules
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
        String currentTree) {

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
