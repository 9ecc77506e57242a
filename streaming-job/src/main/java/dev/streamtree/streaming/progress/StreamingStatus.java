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
 */
public record StreamingStatus(String state, long batches, long lastBatchId, long eventsRead, long eventsToLake,
                              long deadLetters, long predictions, long unscoredEvents, String modelVersion,
                              long modelSwaps, long refusedModels, double inputRowsPerSecond,
                              double processedRowsPerSecond, long lastBatchMillis, long consumerLag,
                              Instant updatedAt) {

    public static StreamingStatus starting(Instant at) {
        return new StreamingStatus("starting", 0, -1, 0, 0, 0, 0, 0, null, 0, 0, 0, 0, 0, -1, at);
    }

    /** One log line. */
    public String summary() {
        return String.format("%s: batch %d, in %.0f rows/s, processed %.0f rows/s, last batch %d ms, lag %s, "
                        + "model %s, lake %d, predictions %d, dead letters %d, unscored %d, refused models %d",
                state, lastBatchId, inputRowsPerSecond, processedRowsPerSecond, lastBatchMillis,
                consumerLag < 0 ? "unknown" : Long.toString(consumerLag), modelVersion == null ? "none" : modelVersion,
                eventsToLake, predictions, deadLetters, unscoredEvents, refusedModels);
    }
}
