package dev.streamtree.retrain.schedule;

import dev.streamtree.retrain.RetrainOutcome;

/** Runs one retrain for a batch of coalesced requests; throws when the retrain fails. */
@FunctionalInterface
public interface RetrainRunner {

    RetrainOutcome run(RequestQueue.Batch batch);
}
