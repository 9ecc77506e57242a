package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTarget;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Iterator;
import java.util.List;

/**
 * Imports a lake of the layout streamtree wrote before the lake moved to Iceberg (2026-12-02): Hive-style Parquet
 * directories {@code <lake>/event_date=YYYY-MM-DD/event_hour=H/*.parquet} with the data columns in the files and the
 * bookkeeping under {@code <lake>/_streamtree/} (commit markers, staging), which is not read.
 *
 * <p>The rows are read with the schema's lake columns ({@link LakeTable#sparkSchema}), checked (no null outside the
 * label), and written again by the streaming job's own {@link LakeFileWriter} in Spark tasks, then added to the table
 * in <b>one</b> Iceberg append whose snapshot summary names the source ({@value #MIGRATED_FROM}): readers see all of
 * the old lake or none of it, a failed run adds nothing (its written files are orphans that retention removes), and a
 * second run from the same source is refused. The old files are left as they are.
 */
public final class LakeMigration {

    private static final Logger LOG = LoggerFactory.getLogger(LakeMigration.class);
    /** Snapshot summary key naming the migrated source. */
    public static final String MIGRATED_FROM = "streamtree.migrated-from";
    private static final int MAX_OPEN_FILES = 16;

    private final SparkSession spark;
    private final Clock clock;

    public LakeMigration(SparkSession spark, Clock clock) {
        this.spark = spark;
        this.clock = clock;
    }

    /**
     * What a run did (or, with {@code dryRun}, would do).
     *
     * @param snapshotId the append's snapshot, or -1 for a dry run
     */
    public record Result(String from, long rows, long partitions, int files, long snapshotId, boolean dryRun,
                         long millis) {
    }

    /**
     * Migrates the Hive-layout lake at {@code from} into {@code table} (the events table of {@code schema}).
     *
     * @throws IllegalArgumentException when {@code from} holds no hour partition directory, or a row has a null
     *                                  outside the label
     * @throws IllegalStateException    when a snapshot of the table already records a migration from {@code from}
     */
    public Result migrate(Table table, EventSchema schema, String from, boolean dryRun) {
        long started = clock.millis();
        String source = qualified(from);
        for (Snapshot snapshot : table.snapshots()) {
            if (source.equals(snapshot.summary().get(MIGRATED_FROM))) {
                throw new IllegalStateException(source + " was already migrated into " + table.name() + " (snapshot "
                        + snapshot.snapshotId() + " at " + java.time.Instant.ofEpochMilli(snapshot.timestampMillis())
                        + "); nothing done");
            }
        }
        requirePartitions(source);
        StructType columns = LakeTable.sparkSchema(schema);
        Dataset<Row> rows = spark.read().schema(columns).option("basePath", source).parquet(source);
        Column anyNull = functions.lit(false);
        for (String name : columns.fieldNames()) {
            boolean label = schema.labelSpec().map(l -> l.name().equals(name)).orElse(false);
            if (!label) {
                anyNull = anyNull.or(functions.col(name).isNull());
            }
        }
        // One pass over the old lake for the check and the counts.
        Row totals = rows.agg(functions.count(functions.lit(1)),
                functions.count(functions.when(anyNull, 1)),
                functions.countDistinct(functions.col(LakeLayout.EVENT_DATE), functions.col(LakeLayout.EVENT_HOUR)))
                .first();
        long count = totals.getLong(0);
        long bad = totals.getLong(1);
        long partitions = totals.getLong(2);
        if (bad > 0) {
            throw new IllegalArgumentException(bad + " rows under " + source + " have a null id, event time, feature or "
                    + "partition value (only the label may be missing); nothing migrated");
        }
        if (dryRun) {
            return new Result(source, count, partitions, 0, -1, true, clock.millis() - started);
        }
        Broadcast<Table> shared = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(SerializableTable.copyOf(table));
        LakeTarget target = new LakeTarget(shared::value, "migrate-" + clock.millis(), MAX_OPEN_FILES);
        CollectionAccumulator<DataFile> written = spark.sparkContext().collectionAccumulator("streamtree migrated files");
        rows.foreachPartition(writer(target, written, columns.size()));
        List<DataFile> files = written.value();
        AppendFiles append = table.newAppend();
        files.forEach(append::appendFile);
        append.set(MIGRATED_FROM, source);
        append.commit();
        long snapshot = table.currentSnapshot().snapshotId();
        LOG.info("migrated {} rows in {} hour partitions from {} into {}: {} files, snapshot {}", count, partitions,
                source, table.name(), files.size(), snapshot);
        shared.destroy();
        return new Result(source, count, partitions, files.size(), snapshot, false, clock.millis() - started);
    }

    /** Each task writes its rows with a lake file writer; the files of the tasks that succeed are collected. */
    private static ForeachPartitionFunction<Row> writer(LakeTarget target, CollectionAccumulator<DataFile> written,
                                                        int width) {
        return (Iterator<Row> rows) -> {
            LakeFileWriter files = LakeFileWriter.forCurrentTask(target);
            try {
                while (rows.hasNext()) {
                    Row row = rows.next();
                    Object[] values = new Object[width - 2];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = row.get(i);
                    }
                    files.write(new LakePartition(row.getString(width - 2), row.getInt(width - 1)), values);
                }
            } catch (RuntimeException e) {
                files.abort();
                throw e;
            }
            files.finish().forEach(written::add);
        };
    }

    private String qualified(String from) {
        Path path = new Path(from);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.makeQualified(path).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + from + ": " + e.getMessage(), e);
        }
    }

    private void requirePartitions(String source) {
        Path root = new Path(source);
        boolean found = false;
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(root)) {
                for (var status : fs.listStatus(root)) {
                    found |= status.isDirectory() && status.getPath().getName().startsWith(LakeLayout.EVENT_DATE + "=");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + source + ": " + e.getMessage(), e);
        }
        if (!found) {
            throw new IllegalArgumentException(source + " holds no " + LakeLayout.EVENT_DATE + "=YYYY-MM-DD directory: "
                    + "not a lake of the Hive layout (give the directory that holds the event_date=... directories)");
        }
    }
}
