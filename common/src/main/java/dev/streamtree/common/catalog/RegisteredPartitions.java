package dev.streamtree.common.catalog;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The partitions a catalog client has already registered, so that a streaming job, whose micro-batches mostly
 * write into the hour it registered a batch ago, does not ask the catalog again every batch. Thread-safe.
 * Only ever remembers a partition after the catalog confirmed it; a partition dropped from the catalog behind
 * the job's back is registered again by the next job start, not by this client.
 */
public final class RegisteredPartitions {

    private final Set<LakePartition> registered = new HashSet<>();

    /** The partitions of {@code partitions} not yet registered through this client, in their order. */
    public synchronized List<LakePartition> unregistered(List<LakePartition> partitions) {
        return partitions.stream().distinct().filter(p -> !registered.contains(p)).toList();
    }

    /** Records that the catalog now has these partitions. */
    public synchronized void registered(List<LakePartition> partitions) {
        registered.addAll(partitions);
    }
}
