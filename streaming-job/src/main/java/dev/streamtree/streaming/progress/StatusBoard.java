package dev.streamtree.streaming.progress;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The job's live counters, written by the batch thread and the progress listener, read by anyone through
 * {@link #snapshot()} and passed on, update by update, to an {@link Observer} (the job's metrics). One per job
 * instance; thread-safe.
 */
public final class StatusBoard {

    private final Clock clock;
    private final Observer observer;
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
    private long labelsToLake;
    private long labelDeadLetters;

    public StatusBoard(Clock clock) {
        this(clock, Observer.NONE);
    }

    public StatusBoard(Clock clock, Observer observer) {
        this.clock = clock;
        this.observer = observer;
        this.updatedAt = clock.instant();
    }

    /**
     * Counts of one finished micro-batch; {@code modelSwaps} and {@code refusedModels} are the job's totals so far,
     * {@code modelLoadMillis} how long the serving model took to check and load (0 when none serves),
     * {@code deadLettersByReason} the dead letters by {@link dev.streamtree.common.event.ValidationResult.Kind} label
     * (kinds with none left out; summing to {@code deadLetters}).
     */
    public record BatchOutcome(long batchId, long read, long toLake, long deadLetters, long predictions,
                               long unscored, String modelVersion, long modelSwaps, long refusedModels, long millis,
                               long modelLoadMillis, Map<String, Long> deadLettersByReason) {
        public BatchOutcome {
            deadLettersByReason = Map.copyOf(deadLettersByReason == null ? Map.of() : deadLettersByReason);
        }
    }

    /**
     * Counts of one finished batch of the labels query.
     *
     * @param read                label records read from the labels topic, valid or not
     * @param toLake              valid labels written to the labels table (0 for a replay of a batch already landed)
     * @param deadLetters         label records refused and sent to the dead-letter topic
     * @param deadLettersByReason the refused ones by {@link dev.streamtree.common.event.ValidationResult.Kind} label
     */
    public record LabelOutcome(long batchId, long read, long toLake, long deadLetters, long millis,
                               Map<String, Long> deadLettersByReason) {
        public LabelOutcome {
            deadLettersByReason = Map.copyOf(deadLettersByReason == null ? Map.of() : deadLettersByReason);
        }
    }

    /**
     * Sees every update of the board, in order, on the thread that made it (the batch thread for
     * {@link #batchDone}, Spark's listener bus for {@link #progress}). Must not throw.
     */
    public interface Observer {

        Observer NONE = new Observer() {
            @Override
            public void batchDone(BatchOutcome outcome) {
            }

            @Override
            public void progress(List<ConsumerLag.PartitionLag> lags) {
            }
        };

        void batchDone(BatchOutcome outcome);

        /** A batch of the labels query (on its batch thread). */
        default void labelBatchDone(LabelOutcome outcome) {
        }

        /** The consumer lag of each partition at a progress report (empty when Spark reported no offsets). */
        void progress(List<ConsumerLag.PartitionLag> lags);
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
        observer.batchDone(outcome);
    }

    public synchronized void labelBatchDone(LabelOutcome outcome) {
        labelsToLake += outcome.toLake();
        labelDeadLetters += outcome.deadLetters();
        updatedAt = clock.instant();
        observer.labelBatchDone(outcome);
    }

    /**
     * A progress report: Spark's rates and the lag of each partition read; the board keeps their sum, or -1 when
     * {@code lags} is empty (unknown).
     */
    public synchronized void progress(double inputRate, double processedRate, List<ConsumerLag.PartitionLag> lags) {
        inputRowsPerSecond = inputRate;
        processedRowsPerSecond = processedRate;
        consumerLag = lags.isEmpty() ? -1 : lags.stream().mapToLong(ConsumerLag.PartitionLag::lag).sum();
        updatedAt = clock.instant();
        observer.progress(lags);
    }

    public synchronized void state(String newState) {
        state = newState;
        updatedAt = clock.instant();
    }

    public synchronized StreamingStatus snapshot() {
        return new StreamingStatus(state, batches, lastBatchId, eventsRead, eventsToLake, deadLetters, predictions,
                unscoredEvents, modelVersion, modelSwaps, refusedModels, inputRowsPerSecond, processedRowsPerSecond,
                lastBatchMillis, consumerLag, updatedAt, labelsToLake, labelDeadLetters);
    }
}
