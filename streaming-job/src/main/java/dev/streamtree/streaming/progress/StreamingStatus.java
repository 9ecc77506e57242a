package dev.streamtree.streaming.progress;

import java.time.Instant;

/**
 * A snapshot of the streaming job, for the launcher and for logs.
 *
 * @param state                  {@code starting}, {@code running}, {@code stopped} or {@code failed: reason}
 * @param batches                micro-batches completed
 * @param lastBatchId            the last completed batch, or -1
 * @param eventsRead             records read from the events topic
 * @param eventsToLake           valid events written to the lake (replays of committed batches not counted twice)
 * @param deadLetters            records sent to the dead-letter topic
 * @param predictions            prediction records sent
 * @param unscoredEvents         valid events that got no prediction because no model was serving
 * @param modelVersion           the version scoring now, or null before the first usable model
 * @param modelSwaps             times a new model started serving
 * @param refusedModels          versions refused (incompatible or unloadable)
 * @param inputRowsPerSecond     from Spark's last progress report
 * @param processedRowsPerSecond from Spark's last progress report
 * @param lastBatchMillis        wall time of the last micro-batch
 * @param consumerLag            records in the topic not yet read at the last progress report, or -1 if unknown
 * @param updatedAt              when this snapshot's numbers last changed
 * @param labelsToLake           valid labels the labels query wrote to the labels table (replays not counted twice)
 * @param labelDeadLetters       label records the labels query sent to the dead-letter topic
 */
public record StreamingStatus(String state, long batches, long lastBatchId, long eventsRead, long eventsToLake,
                              long deadLetters, long predictions, long unscoredEvents, String modelVersion,
                              long modelSwaps, long refusedModels, double inputRowsPerSecond,
                              double processedRowsPerSecond, long lastBatchMillis, long consumerLag,
                              Instant updatedAt, long labelsToLake, long labelDeadLetters) {

    public static StreamingStatus starting(Instant at) {
        return new StreamingStatus("starting", 0, -1, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, -1, at, 0, 0);
    }

    /** One log line. */
    public String summary() {
        return String.format("%s: batch %d, in %.0f rows/s, processed %.0f rows/s, last batch %d ms, lag %s, "
                        + "model %s, lake %d, predictions %d, dead letters %d, unscored %d, refused models %d, "
                        + "labels %d (%d dead letters)",
                state, lastBatchId, inputRowsPerSecond, processedRowsPerSecond, lastBatchMillis,
                consumerLag < 0 ? "unknown" : Long.toString(consumerLag), modelVersion == null ? "none" : modelVersion,
                eventsToLake, predictions, deadLetters, unscoredEvents, refusedModels, labelsToLake, labelDeadLetters);
    }

    /**
     * One log line of real-time mode's lake query, which scores nothing (the real-time query logs the scoring side):
     * no model, predictions or unscored events.
     */
    public String lakeSummary() {
        return String.format("%s: lake query batch %d, in %.0f rows/s, processed %.0f rows/s, last batch %d ms, lag %s, "
                        + "lake %d, refused %d, labels %d (%d dead letters); scoring in the real-time query",
                state, lastBatchId, inputRowsPerSecond, processedRowsPerSecond, lastBatchMillis,
                consumerLag < 0 ? "unknown" : Long.toString(consumerLag), eventsToLake, deadLetters, labelsToLake,
                labelDeadLetters);
    }
}
