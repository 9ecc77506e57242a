package dev.streamtree.lake.table;

import java.util.Optional;

/**
 * One micro-batch's turn at the lake, from {@link LakeBatchWriter#begin} to {@link LakeBatchWriter#commit}: either
 * already committed by an earlier attempt (nothing to write), or open with a staging directory for the tasks.
 *
 * @param batchId               the micro-batch
 * @param committed             the earlier attempt's commit, or null when the batch is open
 * @param staging               where the tasks write, or null when the batch was already committed
 * @param mayHaveEarlierAttempt whether an interrupted earlier attempt may have left files in the table
 */
public record LakeBatch(long batchId, LakeCommit committed, LakeStaging staging, boolean mayHaveEarlierAttempt) {

    public LakeBatch {
        if ((committed == null) == (staging == null)) {
            throw new IllegalArgumentException("lake batch " + batchId + " must be either committed or staged");
        }
    }

    /** The staging directory of an open batch; empty when an earlier attempt committed it. */
    public Optional<LakeStaging> openStaging() {
        return Optional.ofNullable(staging);
    }

    public boolean alreadyCommitted() {
        return committed != null;
    }
}
