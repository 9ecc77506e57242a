package dev.streamtree.retrain.source;

import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Scan;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.IdentityPartitionConverters;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Evaluator;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.formats.FormatModelRegistry;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.PartitionUtil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The data files of one Iceberg scan (a table scan or an incremental append scan), planned once: their row count
 * decides whether the driver reads them at all, then {@link #forEach} reads the same files. Each file is read as
 * Iceberg's generic reader reads it ({@code IcebergGenerics}: the format's generic record reader, delete files, the
 * task's residual filter); that reader plans its scan itself and takes no planned files, hence this class.
 */
final class PlannedFiles {

    private final Table table;
    private final Schema projection;
    private final boolean caseSensitive;
    private final List<FileScanTask> tasks;
    private final long rows;

    private PlannedFiles(Table table, Schema projection, boolean caseSensitive, List<FileScanTask> tasks) {
        this.table = table;
        this.projection = projection;
        this.caseSensitive = caseSensitive;
        this.tasks = List.copyOf(tasks);
        this.rows = tasks.stream().mapToLong(task -> task.file().recordCount()).sum();
    }

    /**
     * Plans {@code scan} of {@code table}, reading its manifests.
     *
     * @throws UncheckedIOException when a manifest cannot be read
     */
    static PlannedFiles plan(Table table, Scan<?, FileScanTask, ?> scan) {
        List<FileScanTask> tasks = new ArrayList<>();
        try (CloseableIterable<FileScanTask> planned = scan.planFiles()) {
            planned.forEach(tasks::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot plan " + table.name() + ": " + e.getMessage(), e);
        }
        return new PlannedFiles(table, scan.schema(), scan.isCaseSensitive(), tasks);
    }

    /** The rows of the planned files, from the manifests: before any row filter and any delete file. */
    long rows() {
        return rows;
    }

    int files() {
        return tasks.size();
    }

    /**
     * Reads the planned files' rows that pass the scan's filter and no delete file, one file after another, and
     * passes each to {@code action}; records are not reused, so the action may keep them.
     *
     * @throws UncheckedIOException when a file cannot be read
     */
    void forEach(Consumer<Record> action) {
        for (FileScanTask task : tasks) {
            try (CloseableIterable<Record> records = open(task)) {
                records.forEach(action);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + task.file().location() + " of " + table.name() + ": "
                        + e.getMessage(), e);
            }
        }
    }

    private CloseableIterable<Record> open(FileScanTask task) {
        GenericDeleteFilter deletes = task.deletes().isEmpty() ? null
                : new GenericDeleteFilter(table.io(), task, table.schema(), projection);
        Schema read = deletes == null ? projection : deletes.requiredSchema();
        Expression residual = task.residual();
        CloseableIterable<Record> records = FormatModelRegistry.<Record, Object>readBuilder(task.file().format(),
                        Record.class, table.io().newInputFile(task.file()))
                .project(read)
                .idToConstant(PartitionUtil.constantsMap(task, IdentityPartitionConverters::convertConstant))
                .split(task.start(), task.length())
                .caseSensitive(caseSensitive)
                .filter(residual)
                .build();
        if (deletes != null) {
            records = deletes.filter(records);
        }
        if (residual == Expressions.alwaysTrue()) {
            return records;
        }
        // the format's filter skips row groups; the residual decides each row
        Evaluator evaluator = new Evaluator(read.asStruct(), residual, caseSensitive);
        InternalRecordWrapper wrapper = new InternalRecordWrapper(read.asStruct());
        return CloseableIterable.filter(records, record -> evaluator.eval(wrapper.wrap(record)));
    }
}
