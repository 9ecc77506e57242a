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
     * Runs a retrain's code once on synthetic rows and stores nothing, so that the first real retrain does not pay for
     * a new JVM's class loading and compilation; the scheduler's worker calls it before its first retrain when no
     * model serves yet. Throws when the warm-up fails (the scheduler logs it and goes on).
     */
    default void warmUp() {
    }
}
