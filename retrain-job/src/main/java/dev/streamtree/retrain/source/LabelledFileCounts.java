package dev.streamtree.retrain.source;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What the data files' column metrics alone say about labelled rows, for the counts that must never exceed what a
 * read finds ({@link LakeTableEvents#labelledRowsLowerBound}, {@link LastRowsBound}): per file, the earliest event
 * time and the rows with an inline label (row count less the label column's null count). Files without those
 * metrics, or with row deletes, are left out.
 */
final class LabelledFileCounts {

    /** One data file: its event-time lower bound in microseconds and its rows with an inline label. */
    record FileCount(long earliestMicros, long labelled) {
    }

    private LabelledFileCounts() {
    }

    /**
     * The counts of the files {@code scan} of {@code table} plans; empty when the table has no such columns.
     *
     * @throws UncheckedIOException when a manifest cannot be read
     */
    static List<FileCount> of(Table table, TableScan scan, String timeColumn, String labelColumn) {
        Types.NestedField time = table.schema().findField(timeColumn);
        Types.NestedField label = table.schema().findField(labelColumn);
        List<FileCount> counts = new ArrayList<>();
        if (time == null || label == null) {
            return counts;
        }
        try (CloseableIterable<FileScanTask> tasks = scan.includeColumnStats().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile file = task.file();
                ByteBuffer lower = file.lowerBounds() == null ? null : file.lowerBounds().get(time.fieldId());
                Long nulls = file.nullValueCounts() == null ? null : file.nullValueCounts().get(label.fieldId());
                if (lower == null || nulls == null || !task.deletes().isEmpty()) {
                    continue;
                }
                counts.add(new FileCount(Conversions.<Long>fromByteBuffer(time.type(), lower),
                        file.recordCount() - nulls));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plan " + table.name() + ": " + e.getMessage(), e);
        }
        return counts;
    }
}
