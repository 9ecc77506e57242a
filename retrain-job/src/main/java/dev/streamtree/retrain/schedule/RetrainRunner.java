package dev.streamtree.retrain.schedule;

import dev.streamtree.retrain.RetrainOutcome;

/** Runs one retrain for a batch of coalesced requests; throws when the retrain fails. */
@FunctionalInterface
public interface RetrainRunner {

    RetrainOutcome run(RequestQueue.Batch batch);

    /**
     * Asks the running retrain, if any, to stop; its {@link #run} then throws. Best-effort: a retrain past its last
     * Spark job finishes.
     *
     * @return whether a retrain was running
     */
    default boolean cancel(String why) {
        return false;
    }
}
