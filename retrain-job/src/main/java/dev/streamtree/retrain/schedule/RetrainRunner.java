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

    /**
     * Runs a retrain's work once on synthetic data and stores nothing, so that the first real retrain does not pay for
     * a new JVM's class loading and compilation; the scheduler calls it on a thread of its own at its start. Throws
     * when the warm-up fails (the scheduler logs it and goes on).
     */
    default void warmUp() {
    }
}
