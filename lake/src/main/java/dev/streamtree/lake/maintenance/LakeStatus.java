package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the lake holds now: partitions, files, bytes and rows, the oldest and newest hour, the snapshots, and the
 * closed hours waiting for compaction. From the table's metadata only (manifests and snapshot log), no data is read.
 *
 * @param pendingCompaction closed hours (past the grace period) with two or more small files
 * @param retain            the table's {@value RetentionOptions#RETAIN_PROPERTY} property, if set
 */
public record LakeStatus(String table, String location, long snapshotId, Optional<Instant> snapshotAt, int snapshots,
                         Optional<Instant> oldestSnapshotAt, int partitions, int files, int smallFiles, long bytes,
                         long rows, Optional<LakePartition> oldest, Optional<LakePartition> newest,
                         List<LakePartition> pendingCompaction, Optional<String> retain) {

    public LakeStatus {
        Objects.requireNonNull(table, "table");
        pendingCompaction = List.copyOf(pendingCompaction);
    }

    public static LakeStatus of(Table table, CompactionOptions compaction, Clock clock) {
        LakeInventory inventory = LakeInventory.of(table, compaction.targetFileSizeBytes());
        LakePartition firstOpen = ClosedHours.firstOpen(clock.instant(), compaction.grace());
        List<LakeInventory.HourFiles> hours = inventory.partitions();
        Snapshot current = table.currentSnapshot();
        int snapshots = 0;
        Instant oldestSnapshot = null;
        for (Snapshot s : table.snapshots()) {
            snapshots++;
            Instant at = Instant.ofEpochMilli(s.timestampMillis());
            if (oldestSnapshot == null || at.isBefore(oldestSnapshot)) {
                oldestSnapshot = at;
            }
        }
        return new LakeStatus(table.name(), table.location(), inventory.snapshotId(),
                Optional.ofNullable(current).map(s -> Instant.ofEpochMilli(s.timestampMillis())), snapshots,
                Optional.ofNullable(oldestSnapshot), hours.size(), inventory.files(),
                hours.stream().mapToInt(LakeInventory.HourFiles::smallFiles).sum(), inventory.bytes(), inventory.rows(),
                hours.isEmpty() ? Optional.empty() : Optional.of(hours.get(0).partition()),
                hours.isEmpty() ? Optional.empty() : Optional.of(hours.get(hours.size() - 1).partition()),
                inventory.pendingCompaction(firstOpen).stream().map(LakeInventory.HourFiles::partition).toList(),
                Optional.ofNullable(table.properties().get(RetentionOptions.RETAIN_PROPERTY)));
    }
}
