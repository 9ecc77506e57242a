package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;

import java.util.List;

/**
 * What one micro-batch left in the lake once its journal entry was written (the table commit follows within the
 * commit interval, see {@link LakeCommitter}).
 *
 * @param batchId    the micro-batch
 * @param replayed   true when an earlier attempt had already landed the batch and nothing was written now
 * @param files      data files the batch wrote (0 for a replayed batch)
 * @param rows       rows the batch wrote (0 for a replayed batch)
 * @param partitions partitions the batch wrote into, sorted
 */
public record LakeCommit(long batchId, boolean replayed, int files, long rows, List<LakePartition> partitions) {

    public LakeCommit {
        partitions = List.copyOf(partitions);
    }

    static LakeCommit replayed(long batchId) {
        return new LakeCommit(batchId, true, 0, 0, List.of());
    }
}
