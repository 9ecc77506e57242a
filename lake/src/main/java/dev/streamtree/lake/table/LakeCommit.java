package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;

import java.util.List;

/**
 * What one micro-batch left in the lake.
 *
 * @param batchId    the micro-batch
 * @param replayed   true when an earlier attempt had already committed the batch and nothing was written now
 * @param files      data files the batch holds
 * @param partitions partitions the batch wrote into, sorted
 */
public record LakeCommit(long batchId, boolean replayed, int files, List<LakePartition> partitions) {

    public LakeCommit {
        partitions = List.copyOf(partitions);
    }

    static LakeCommit empty(long batchId) {
        return new LakeCommit(batchId, false, 0, List.of());
    }
}
