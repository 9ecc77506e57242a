package dev.streamtree.lake.table;

import org.apache.iceberg.Table;

import java.io.Serial;
import java.io.Serializable;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where the tasks of one lake batch write: the table (a serializable, read-only copy: its schema, partition spec,
 * file IO, location provider and write properties), the prefix that makes the batch's file names unique to the
 * writing query and batch, and how many files a task may hold open at once. Made on the driver by
 * {@link LakeBatchWriter#begin}, shipped to the tasks, which open a {@link LakeFileWriter} with it.
 *
 * @param table        the table, resolved in the task: a handle to a copy Spark broadcasts once per writer
 * @param filePrefix   {@code <writer id>-<batch id>}, letters, digits and dashes
 * @param maxOpenFiles the most Parquet files one task keeps open; the least recently written is closed beyond it
 */
public record LakeTarget(TableSource table, String filePrefix, int maxOpenFiles) implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9-]{1,80}");

    public LakeTarget {
        if (table == null) {
            throw new IllegalArgumentException("lake target has no table");
        }
        if (filePrefix == null || !PREFIX.matcher(filePrefix).matches()) {
            throw new IllegalArgumentException("lake file prefix '" + filePrefix + "' must be 1-80 letters, digits and dashes");
        }
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("a lake task must be allowed at least one open file, got " + maxOpenFiles);
        }
    }

    /** A table that can travel with a task. */
    @FunctionalInterface
    public interface TableSource extends Supplier<Table>, Serializable {
    }
}
