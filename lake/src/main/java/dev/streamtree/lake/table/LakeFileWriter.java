package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionData;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.iceberg.spark.data.SparkParquetWriters;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.catalyst.util.ArrayBasedMapData;
import org.apache.spark.sql.catalyst.util.GenericArrayData;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.TaskFailureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs in a task: writes that task's lake rows as Iceberg data files straight under the table's {@code data/}
 * location ({@code data/event_date=../event_hour=../<writer>-<batch>-<task partition>-<task attempt>-<n>.parquet}),
 * with no Spark job of its own, so the task that validates and scores a Kafka partition also writes its lake rows.
 * A file is invisible to readers until a commit references it ({@link LakeCommitter}), so nothing is staged or
 * renamed.
 *
 * <p>Files are written by Iceberg's Parquet writer for Spark rows: Iceberg field ids in the Parquet schema and the
 * column metrics (counts, nulls, lower and upper bounds) taken from the writer's own footer as it closes the file, so
 * no file is read back. The table's write properties (compression, page sizes) apply.
 *
 * <p>Memory is bounded: a task holds at most {@link LakeTarget#maxOpenFiles} files open (each buffers a row group);
 * writing to a further partition closes the least recently written file, and a later row of that partition starts a
 * new file. A batch of late events spread over many hours therefore writes more, smaller files, which compaction
 * merges, rather than holding one buffer per hour.
 *
 * <p>Lifecycle: {@link #open}, any number of {@link #write}, then {@link #finish} (files complete, their
 * {@link DataFile}s returned) or {@link #abort} (files closed and deleted, for a failed task). I/O failures are
 * thrown as {@link UncheckedIOException}, which fails the task.
 */
public final class LakeFileWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LakeFileWriter.class);
    /** Parquet's switch for dictionary encoding, which Iceberg's writer reads from its properties (all columns or none). */
    static final String DICTIONARY_ENABLED = "parquet.enable.dictionary";

    private final Table table;
    private final PartitionSpec spec;
    private final StructType sparkType;
    private final DataType[] types;
    private final String fileName;
    private final int maxOpen;
    private final MetricsConfig metrics;
    /** Open files by partition, least recently written first. */
    private final LinkedHashMap<LakePartition, DataWriter<Object>> open = new LinkedHashMap<>(16, 0.75f, true);
    private final List<DataFile> completed = new ArrayList<>();
    private final List<String> written = new ArrayList<>();
    private final GenericInternalRow row;
    /** The last row's partition (one instance per hour from {@link HourPartitions}), its file and its date value. */
    private LakePartition lastPartition;
    private DataWriter<Object> lastWriter;
    private UTF8String lastDate;
    /** The last map column's keys, and their Spark form (predictions of one model repeat the same key strings). */
    private Object[] lastKeys = new Object[0];
    private GenericArrayData lastKeyData;
    private int sequence;
    private int peakOpen;
    private boolean closed;

    private LakeFileWriter(LakeTarget target, String fileName) {
        this.table = target.table().get();
        this.spec = table.spec();
        this.sparkType = SparkSchemaUtil.convert(table.schema());
        this.types = new DataType[sparkType.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = sparkType.fields()[i].dataType();
        }
        this.fileName = fileName;
        this.maxOpen = target.maxOpenFiles();
        this.metrics = MetricsConfig.forTable(table);
        this.row = new GenericInternalRow(types.length);
    }

    /**
     * A writer for one task attempt; nothing is created until the first row.
     *
     * @param taskPartition the task's partition (Spark's {@code TaskContext.partitionId()})
     * @param taskAttempt   an id no other attempt of the batch has (Spark's {@code TaskContext.taskAttemptId()})
     */
    public static LakeFileWriter open(LakeTarget target, int taskPartition, long taskAttempt) {
        return new LakeFileWriter(target, target.filePrefix() + "-" + taskPartition + "-" + taskAttempt);
    }

    /**
     * A writer for the task this runs in, which deletes its files if the task fails (another attempt writes them
     * again, or the batch is replayed).
     *
     * @throws IllegalStateException outside a Spark task
     */
    public static LakeFileWriter forCurrentTask(LakeTarget target) {
        TaskContext task = TaskContext.get();
        if (task == null) {
            throw new IllegalStateException("LakeFileWriter.forCurrentTask must run in a Spark task");
        }
        LakeFileWriter writer = open(target, task.partitionId(), task.taskAttemptId());
        task.addTaskFailureListener((TaskFailureListener) (context, error) -> writer.abort());
        return writer;
    }

    /**
     * Appends one row.
     *
     * @param partition the row's event date and hour (the table's last two columns)
     * @param values    the other columns' values in table order: strings, the event time as {@link Instant} (or
     *                  {@link Timestamp}), numbers; null only where the column is optional
     */
    public void write(LakePartition partition, Object[] values) {
        if (closed) {
            throw new IllegalStateException("lake file writer for " + fileName + " is already closed");
        }
        if (values.length != types.length - 2) {
            throw new IllegalArgumentException("a lake row of " + table.name() + " has " + (types.length - 2)
                    + " columns before the partition columns, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            Object value = values[i];
            if (value == null && table.schema().columns().get(i).isRequired()) {
                throw new IllegalArgumentException("lake column '" + sparkType.fields()[i].name() + "' is null");
            }
            row.update(i, internal(types[i], value));
        }
        try {
            if (partition != lastPartition) {
                DataWriter<Object> writer = open.get(partition);
                lastWriter = writer == null ? create(partition) : writer;
                lastPartition = partition;
                lastDate = UTF8String.fromString(partition.eventDate());
            }
            row.update(values.length, lastDate);
            row.update(values.length + 1, partition.eventHour());
            lastWriter.write(row);
        } catch (IOException e) {
            throw new UncheckedIOException("writing a lake file of partition " + partition + " of " + table.name()
                    + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Completes every file.
     *
     * @return the data files written, with their metrics; empty when no row was written
     */
    public List<DataFile> finish() {
        closed = true;
        Iterator<DataWriter<Object>> writers = open.values().iterator();
        while (writers.hasNext()) {
            complete(writers.next());
            writers.remove();
        }
        return List.copyOf(completed);
    }

    /** Closes and deletes whatever this attempt wrote; failures are logged, not thrown (the task is failing already). */
    public void abort() {
        closed = true;
        for (DataWriter<Object> writer : open.values()) {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing an aborted lake file failed", e);
            }
        }
        open.clear();
        for (String file : written) {
            try {
                table.io().deleteFile(file);
            } catch (RuntimeException e) {
                LOG.warn("could not delete {} of a failed task (no commit references it; orphan removal deletes it): {}",
                        file, e.getMessage());
            }
        }
    }

    /** The most files this writer held open at once. */
    public int peakOpenFiles() {
        return peakOpen;
    }

    private DataWriter<Object> create(LakePartition partition) throws IOException {
        if (open.size() >= maxOpen) {
            Iterator<Map.Entry<LakePartition, DataWriter<Object>>> eldest = open.entrySet().iterator();
            complete(eldest.next().getValue());
            eldest.remove();
        }
        PartitionData key = new PartitionData(spec.partitionType());
        key.set(0, partition.eventDate());
        key.set(1, partition.eventHour());
        String location = table.locationProvider().newDataLocation(spec, key, fileName + "-" + sequence++ + ".parquet");
        OutputFile file = table.io().newOutputFile(location);
        written.add(location);
        DataWriter<Object> writer = Parquet.writeData(file)
                .forTable(table)
                .metricsConfig(metrics)
                .withSpec(spec)
                .withPartition(key)
                .set(DICTIONARY_ENABLED, "false")
                .createWriterFunc(type -> SparkParquetWriters.buildWriter(sparkType, type))
                .overwrite()
                .build();
        open.put(partition, writer);
        peakOpen = Math.max(peakOpen, open.size());
        return writer;
    }

    private void complete(DataWriter<Object> writer) {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException("completing a lake file of " + table.name() + " failed: " + e.getMessage(), e);
        }
        completed.add(writer.toDataFile());
    }

    private Object internal(DataType type, Object value) {
        if (value == null) {
            return null;
        }
        if (type == DataTypes.StringType) {
            return UTF8String.fromString((String) value);
        }
        if (type == DataTypes.TimestampType) {
            Instant instant = value instanceof Timestamp timestamp ? timestamp.toInstant() : (Instant) value;
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
        }
        if (type == DataTypes.DoubleType) {
            return ((Number) value).doubleValue();
        }
        if (type == DataTypes.IntegerType) {
            return ((Number) value).intValue();
        }
        if (type == DataTypes.LongType) {
            return ((Number) value).longValue();
        }
        if (type instanceof MapType map && map.keyType() == DataTypes.StringType && map.valueType() == DataTypes.DoubleType) {
            Map<?, ?> entries = (Map<?, ?>) value;
            boolean sameKeys = entries.size() == lastKeys.length;
            Object[] values = new Object[entries.size()];
            int i = 0;
            for (Map.Entry<?, ?> entry : entries.entrySet()) {
                sameKeys = sameKeys && entry.getKey() == lastKeys[i];
                values[i++] = ((Number) entry.getValue()).doubleValue();
            }
            if (!sameKeys) {
                lastKeys = entries.keySet().toArray();
                Object[] keys = new Object[lastKeys.length];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = UTF8String.fromString((String) lastKeys[k]);
                }
                lastKeyData = new GenericArrayData(keys);
            }
            return new ArrayBasedMapData(lastKeyData, new GenericArrayData(values));
        }
        throw new IllegalArgumentException("no lake column is of Spark type " + type);
    }
}
