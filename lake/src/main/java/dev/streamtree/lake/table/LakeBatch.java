package dev.streamtree.lake.table;

import java.util.Optional;

/**
 * One micro-batch's turn at the lake, from {@link LakeBatchWriter#begin} to {@link LakeBatchWriter#finish}: either
 * already landed by an earlier attempt (nothing to write), or open with a target for the tasks.
 *
 * @param batchId the micro-batch
 * @param landed  the earlier attempt's outcome, or null when the batch is open
 * @param target  where the tasks write, or null when the batch already landed
 */
public record LakeBatch(long batchId, LakeCommit landed, LakeTarget target) {

    public LakeBatch {
        if ((landed == null) == (target == null)) {
            throw new IllegalArgumentException("lake batch " + batchId + " must be either landed or open");
        }
    }

    /** The target of an open batch; empty when an earlier attempt landed it. */
    public Optional<LakeTarget> openTarget() {
        return Optional.ofNullable(target);
    }

    public boolean alreadyLanded() {
        return landed != null;
    }
}
