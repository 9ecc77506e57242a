package dev.streamtree.retrain.source;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An event-time bound for a "last N labelled rows" window, from the data files' column metrics alone: the latest time
 * {@code t} such that the files whose every row is at or after {@code t} (their event-time lower bound) hold at least N
 * rows with an inline label (their row count less the label column's null count). Then at least N labelled rows lie at
 * or after {@code t}, so the N latest labelled rows all do, and a read from {@code t} on finds the same window as a
 * read of the whole table, while Iceberg skips every file that ends before {@code t}. A late label only adds labelled
 * rows, so counting inline labels alone keeps the bound safe. The counts are {@link LabelledFileCounts}'.
 *
 * <p>Without it a row window plans and reads the whole lake: in the adaptation benchmark's 5-minute run the timer
 * retrain's read of its last 9,000 rows grew to 7.6-11.5 s, reading every one of some 60,000 rows in several hundred
 * small files.
 */
final class LastRowsBound {

    private LastRowsBound() {
    }

    /**
     * The bound for the latest {@code rows} labelled rows of {@code table} at {@code snapshot}; empty when the files'
     * metrics cannot vouch for that many (the whole table must be read).
     */
    static Optional<Instant> of(Table table, Snapshot snapshot, String timeColumn, String labelColumn, long rows) {
        if (snapshot == null || rows <= 0) {
            return Optional.empty();
        }
        List<LabelledFileCounts.FileCount> files = new ArrayList<>(LabelledFileCounts.of(table,
                table.newScan().useSnapshot(snapshot.snapshotId()), timeColumn, labelColumn));
        files.sort(Comparator.comparingLong(LabelledFileCounts.FileCount::earliestMicros).reversed());
        long labelled = 0;
        for (LabelledFileCounts.FileCount file : files) {
            labelled += file.labelled();
            if (labelled >= rows) {
                return Optional.of(Instant.EPOCH.plusNanos(Math.multiplyExact(file.earliestMicros(), 1000L)));
            }
        }
        return Optional.empty();
    }
}
