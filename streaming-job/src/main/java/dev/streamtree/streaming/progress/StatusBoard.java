package dev.streamtree.streaming.progress;

import java.time.Clock;
import java.time.Instant;

/**
 * The job's live counters, written by the batch thread and the progress listener, read by anyone through
 * {@link #snapshot()}. One per job instance; thread-safe.
 */
public final class StatusBoard {

    private final Clock clock;
    private String state = "starting";
    private long batches;
    private long lastBatchId = -1;
    private long eventsRead;
    private long eventsToLake;
    private long deadLetters;
    private long predictions;
    private long unscoredEvents;
    private String modelVersion;
    private long modelSwaps;
    private long refusedModels;
    private double inputRowsPerSecond;
    private double processedRowsPerSecond;
    private long lastBatchMillis;
    private long consumerLag = -1;
    private Instant updatedAt;

    public StatusBoard(Clock clock) {
        this.clock = clock;
        this.updatedAt = clock.instant();
    }

    /** Counts of one finished micro-batch. */
    public record BatchOutcome(long batchId, long read, long toLake, long deadLetters, long predictions,
                               long unscored, String modelVersion, long modelSwaps, long refusedModels, long millis) {
    }

    public synchronized void batchDone(BatchOutcome outcome) {
        state = "running";
        batches++;
        lastBatchId = outcome.batchId();
        eventsRead += outcome.read();
        eventsToLake += outcome.toLake();
        deadLetters += outcome.deadLetters();
        predictions += outcome.predictions();
        unscoredEvents += outcome.unscored();
        modelVersion = outcome.modelVersion();
        modelSwaps = outcome.modelSwaps();
        refusedModels = outcome.refusedModels();
        lastBatchMillis = outcome.millis();
        updatedAt = clock.instant();
    }

    public synchronized void progress(double inputRate, double processedRate, long lag) {
        inputRowsPerSecond = inputRate;
        processedRowsPerSecond = processedRate;
        consumerLag = lag;
        updatedAt = clock.instant();
    }

    public synchronized void state(String newState) {
        state = newState;
        updatedAt = clock.instant();
    }

    public synchronized StreamingStatus snapshot() {
        return new StreamingStatus(state, batches, lastBatchId, eventsRead, eventsToLake, deadLetters, predictions,
                unscoredEvents, modelVersion, modelSwaps, refusedModels, inputRowsPerSecond, processedRowsPerSecond,
                lastBatchMillis, consumerLag, updatedAt);
    }
}
