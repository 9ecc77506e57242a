package dev.streamtree.retrain.schedule;

import dev.streamtree.retrain.RetrainOutcome;

/** Runs one retrain for a batch of coalesced requests; throws when the retrain fails. */
@FunctionalInterface
public interface RetrainRunner {

    RetrainOutcome run(RequestQueue.Batch batch);

    /**
     * Prepares for a first retrain that should be quick (see {@link dev.streamtree.retrain.RetrainJob#warmUp()});
     * the scheduler calls it on its worker while it waits for the first model's rows.
     *
     * @return how long it took
     */
    default java.time.Duration warmUp() {
        return java.time.Duration.ZERO;
    }

    /** Stops a running {@link #warmUp()} and any later one, because a retrain is due; called from any thread. */
    default void cancelWarmUp() {
    }
}
