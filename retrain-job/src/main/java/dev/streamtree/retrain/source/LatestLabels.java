package dev.streamtree.retrain.source;

import dev.streamtree.lake.table.LabelsTable;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Each event's latest label in the lake's labels table ({@link LabelsTable}: the latest {@code labelled_at}; equal
 * times, the greater label), kept between driver reads and brought to the table's current snapshot by
 * {@link #refresh}. When every snapshot since the one it reflects is an append (the streaming job commits one a
 * second), only the files those appends added are read; after anything else (compaction's replace, retention's
 * delete, a rollback, an expired snapshot, a recreated table) the current snapshot is read in full. It holds no more
 * labels than the rows its last refresh allowed, and none after a refresh declined.
 *
 * <p>Not thread-safe: its owner serializes refreshes and lookups.
 */
final class LatestLabels {

    /** How a refresh brought the labels to the table's current snapshot. */
    enum Mode {
        /** The current snapshot is the one already reflected: nothing read. */
        UNCHANGED,
        /** Only the files added by the appends since were read and merged. */
        APPENDED,
        /** The current snapshot was read in full. */
        REBUILT,
        /** The table holds more rows than allowed: nothing read, nothing kept. */
        DECLINED
    }

    /**
     * What one refresh did.
     *
     * @param files     data files read (planned, when declined)
     * @param rows      rows in those files
     * @param tableRows rows in the table's current snapshot (from the manifests)
     */
    record Refresh(Mode mode, int files, long rows, long tableRows) {
    }

    private record Label(String label, Instant labelledAt) {

        boolean laterThan(Label other) {
            int byTime = labelledAt.compareTo(other.labelledAt);
            return byTime != 0 ? byTime > 0 : label.compareTo(other.label) > 0;
        }
    }

    private final Map<String, Label> byEvent = new HashMap<>();
    private UUID tableId;
    /** The snapshot the labels reflect; null when none (nothing read yet, or a read failed or declined). */
    private Long snapshotId;
    private long tableRows;

    /**
     * Brings the labels to {@code labels}' current snapshot (the caller refreshes the table), or empties them when
     * the table then holds more than {@code maxRows} rows (from the manifests, before any delete file).
     *
     * @throws java.io.UncheckedIOException when a manifest or data file cannot be read; the next refresh then reads
     *                                      in full
     */
    Refresh refresh(Table labels, long maxRows) {
        Snapshot current = labels.currentSnapshot();
        if (current == null) {
            clear();
            return new Refresh(Mode.REBUILT, 0, 0, 0);
        }
        if (snapshotId != null && snapshotId == current.snapshotId() && labels.uuid().equals(tableId)) {
            if (tableRows > maxRows) {
                Refresh declined = new Refresh(Mode.DECLINED, 0, 0, tableRows);
                clear();
                return declined;
            }
            return new Refresh(Mode.UNCHANGED, 0, 0, tableRows);
        }
        boolean appended = onlyAppendsSince(labels, current);
        PlannedFiles files = PlannedFiles.plan(labels, appended
                ? labels.newIncrementalAppendScan().fromSnapshotExclusive(snapshotId).toSnapshot(current.snapshotId())
                        .select(LabelsTable.EVENT_ID, LabelsTable.LABEL, LabelsTable.LABELLED_AT)
                : labels.newScan().useSnapshot(current.snapshotId())
                        .select(LabelsTable.EVENT_ID, LabelsTable.LABEL, LabelsTable.LABELLED_AT));
        long rows = (appended ? tableRows : 0) + files.rows();
        if (rows > maxRows) {
            clear();
            return new Refresh(Mode.DECLINED, files.files(), files.rows(), rows);
        }
        // no snapshot until the merge completes: a refresh that fails part-way leaves the next one to read in full
        snapshotId = null;
        if (!appended) {
            byEvent.clear();
        }
        files.forEach(this::merge);
        tableId = labels.uuid();
        snapshotId = current.snapshotId();
        tableRows = rows;
        return new Refresh(appended ? Mode.APPENDED : Mode.REBUILT, files.files(), files.rows(), rows);
    }

    /** The event's latest label; null when it has none. */
    String label(String eventId) {
        Label latest = byEvent.get(eventId);
        return latest == null ? null : latest.label();
    }

    /** Events with a label. */
    int size() {
        return byEvent.size();
    }

    /** Forgets every label, as when the labels table does not exist. */
    void clear() {
        byEvent.clear();
        tableId = null;
        snapshotId = null;
        tableRows = 0;
    }

    /**
     * Whether {@code current} descends from the reflected snapshot of the same table through appends alone, each
     * snapshot still in the table's metadata.
     */
    private boolean onlyAppendsSince(Table labels, Snapshot current) {
        if (snapshotId == null || !labels.uuid().equals(tableId) || labels.snapshot(snapshotId) == null) {
            return false;
        }
        Snapshot snapshot = current;
        while (snapshot.snapshotId() != snapshotId) {
            if (!DataOperations.APPEND.equals(snapshot.operation()) || snapshot.parentId() == null) {
                return false;
            }
            snapshot = labels.snapshot(snapshot.parentId());
            if (snapshot == null) {
                return false;
            }
        }
        return true;
    }

    private void merge(Record record) {
        Label label = new Label(record.getField(LabelsTable.LABEL).toString(),
                LakeTableEvents.instant(record.getField(LabelsTable.LABELLED_AT)));
        byEvent.merge(record.getField(LabelsTable.EVENT_ID).toString(), label, (a, b) -> a.laterThan(b) ? a : b);
    }
}
