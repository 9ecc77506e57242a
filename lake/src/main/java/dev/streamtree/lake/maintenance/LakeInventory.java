package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The data files of a table's current snapshot, summed per hour partition. It reads the manifests the {@code files}
 * and {@code partitions} metadata tables read, on the driver and without a Spark job, so it is cheap enough to run
 * before every compaction.
 *
 * @param snapshotId the snapshot it describes, or -1 for a table without one
 * @param partitions per hour partition, oldest first
 */
public record LakeInventory(long snapshotId, List<HourFiles> partitions) {

    public LakeInventory {
        partitions = List.copyOf(partitions);
    }

    /**
     * One hour partition's live data files.
     *
     * @param smallFiles files below the compaction's minimum size (75% of the target, Iceberg's bin-pack default)
     */
    public record HourFiles(LakePartition partition, int files, int smallFiles, long bytes, long rows) {

        public HourFiles {
            Objects.requireNonNull(partition, "partition");
            if (files < 1 || smallFiles < 0 || smallFiles > files || bytes < 0 || rows < 0) {
                throw new IllegalArgumentException("inconsistent counts for " + partition + ": files " + files
                        + ", small " + smallFiles + ", bytes " + bytes + ", rows " + rows);
            }
        }

        /** Whether compaction would rewrite this hour once it is closed: two or more small files. */
        public boolean needsCompaction() {
            return smallFiles >= 2;
        }
    }

    /** Reads the current snapshot's files; files under {@code 0.75 * targetFileSizeBytes} count as small. */
    public static LakeInventory of(Table table, long targetFileSizeBytes) {
        table.refresh();
        if (table.currentSnapshot() == null) {
            return new LakeInventory(-1, List.of());
        }
        long smallBelow = targetFileSizeBytes * 3 / 4;
        Map<LakePartition, long[]> sums = new TreeMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                LakePartition partition = partitionOf(table.specs().get(file.specId()), file.partition());
                long[] s = sums.computeIfAbsent(partition, p -> new long[4]);
                s[0]++;
                s[1] += file.fileSizeInBytes() < smallBelow ? 1 : 0;
                s[2] += file.fileSizeInBytes();
                s[3] += file.recordCount();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifests of " + table.name() + ": " + e.getMessage(), e);
        }
        return new LakeInventory(table.currentSnapshot().snapshotId(), sums.entrySet().stream()
                .map(e -> new HourFiles(e.getKey(), (int) e.getValue()[0], (int) e.getValue()[1], e.getValue()[2], e.getValue()[3]))
                .toList());
    }

    static LakePartition partitionOf(PartitionSpec spec, StructLike partition) {
        HourColumns columns = HourColumns.of(spec);
        String date = null;
        Integer hour = null;
        List<PartitionField> fields = spec.fields();
        for (int i = 0; i < fields.size(); i++) {
            String name = fields.get(i).name();
            if (name.equals(columns.date())) {
                date = partition.get(i, String.class);
            } else if (name.equals(columns.hour())) {
                hour = partition.get(i, Integer.class);
            }
        }
        if (date == null || hour == null) {
            throw new IllegalStateException("a data file of spec " + spec + " has no " + columns.date() + " or "
                    + columns.hour() + " value");
        }
        return new LakePartition(date, hour);
    }

    public int files() {
        return partitions.stream().mapToInt(HourFiles::files).sum();
    }

    public long bytes() {
        return partitions.stream().mapToLong(HourFiles::bytes).sum();
    }

    public long rows() {
        return partitions.stream().mapToLong(HourFiles::rows).sum();
    }

    /** The closed hours (before {@code firstOpen}) with two or more small files. */
    public List<HourFiles> pendingCompaction(LakePartition firstOpen) {
        return partitions.stream().filter(p -> ClosedHours.isClosed(p.partition(), firstOpen) && p.needsCompaction()).toList();
    }
}
