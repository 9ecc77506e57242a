package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.TaskFailureListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs in a task: writes that task's lake rows as Parquet into the batch's staging directory, one file per
 * partition the task's rows fall in ({@code <event_date=..>/<event_hour=..>/part-<task partition>-<task attempt>.parquet}),
 * with no Spark job of its own, so the task that validates and scores a Kafka partition also writes its lake rows.
 * {@link LakeBatchWriter#commit} then moves the files of the attempts that succeeded into the table.
 *
 * <p>Files have the columns of {@link LakeLayout#dataColumns} in that order, required but for the label, the
 * event time as {@code INT64 TIMESTAMP(MICROS, UTC)}, Snappy compression, and dictionary encoding only for the
 * categorical features and the label (see {@link LakeTable#dictionaryColumns}). The footer carries the Spark schema
 * and version, as Spark's own writer does, so Spark reads them exactly like its own files.
 *
 * <p>Lifecycle: {@link #open}, any number of {@link #write}, then {@link #finish} (files complete, their paths
 * returned) or {@link #abort} (files closed and deleted, for a failed task). I/O failures are thrown as
 * {@link UncheckedIOException}, which fails the task.
 */
public final class LakeFileWriter {

    private static final Logger LOG = LoggerFactory.getLogger(LakeFileWriter.class);
    /** Footer keys Spark's Parquet writer sets; with them Spark treats the file as its own (no datetime rebase). */
    static final String SPARK_VERSION_KEY = "org.apache.spark.version";
    static final String SPARK_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

    private final LakeStaging staging;
    private final String fileName;
    private final Configuration conf;
    private final MessageType fileSchema;
    private final Map<String, String> footer;
    private final Map<LakePartition, ParquetWriter<Object[]>> writers = new TreeMap<>();
    private final List<String> files = new ArrayList<>();
    private boolean closed;

    private LakeFileWriter(LakeStaging staging, String fileName) {
        this.staging = staging;
        this.fileName = fileName;
        this.conf = staging.hadoopConf().get();
        this.fileSchema = fileSchema(staging.schema());
        this.footer = Map.of(SPARK_VERSION_KEY, org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                SPARK_SCHEMA_KEY, dataSchema(staging.schema()).json());
    }

    /**
     * A writer for one task attempt; nothing is created until the first row.
     *
     * @param taskPartition the task's partition (Spark's {@code TaskContext.partitionId()})
     * @param taskAttempt   an id no other attempt of the batch has (Spark's {@code TaskContext.taskAttemptId()})
     */
    public static LakeFileWriter open(LakeStaging staging, int taskPartition, long taskAttempt) {
        return new LakeFileWriter(staging, "part-" + taskPartition + "-" + taskAttempt + ".parquet");
    }

    /**
     * A writer for the task this runs in, which deletes its files if the task fails (another attempt writes them
     * again, or the batch is replayed).
     *
     * @throws IllegalStateException outside a Spark task
     */
    public static LakeFileWriter forCurrentTask(LakeStaging staging) {
        TaskContext task = TaskContext.get();
        if (task == null) {
            throw new IllegalStateException("LakeFileWriter.forCurrentTask must run in a Spark task");
        }
        LakeFileWriter writer = open(staging, task.partitionId(), task.taskAttemptId());
        task.addTaskFailureListener((TaskFailureListener) (context, error) -> writer.abort());
        return writer;
    }

    /**
     * Appends one row.
     *
     * @param values the {@link LakeLayout#dataColumns} values in order: strings, the event time as {@link Instant}
     *               (or {@link Timestamp}), numeric features as {@link Double}; null only for a missing label
     */
    public void write(LakePartition partition, Object[] values) {
        if (closed) {
            throw new IllegalStateException("lake file writer for " + fileName + " is already closed");
        }
        ParquetWriter<Object[]> writer = writers.get(partition);
        try {
            if (writer == null) {
                writer = create(partition);
                writers.put(partition, writer);
            }
            writer.write(values);
        } catch (IOException e) {
            throw new UncheckedIOException("writing lake file " + fileName + " of partition " + partition + " in "
                    + staging.directory() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Completes every file.
     *
     * @return the files written, relative to the staging directory, e.g.
     *         {@code event_date=2024-03-01/event_hour=5/part-0-17.parquet}; empty when no row was written
     */
    public List<String> finish() {
        closed = true;
        try {
            for (ParquetWriter<Object[]> writer : writers.values()) {
                writer.close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("completing lake file " + fileName + " in " + staging.directory()
                    + " failed: " + e.getMessage(), e);
        }
        return List.copyOf(files);
    }

    /** Closes and deletes whatever this attempt wrote; failures are logged, not thrown (the task is failing already). */
    public void abort() {
        closed = true;
        for (ParquetWriter<Object[]> writer : writers.values()) {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                LOG.debug("closing an aborted lake file failed", e);
            }
        }
        for (String file : files) {
            Path path = new Path(staging.directory(), file);
            try {
                path.getFileSystem(conf).delete(path, false);
            } catch (IOException e) {
                LOG.warn("could not delete {} of a failed task (the batch's commit removes its staging directory): {}",
                        path, e.getMessage());
            }
        }
    }

    private ParquetWriter<Object[]> create(LakePartition partition) throws IOException {
        String relative = partition.path() + "/" + fileName;
        OutputFile file = HadoopOutputFile.fromPath(new Path(staging.directory(), relative), conf);
        files.add(relative);
        Builder builder = new Builder(file, new RowWriteSupport(fileSchema, footer))
                .withConf(conf)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withDictionaryEncoding(false);
        for (String column : LakeTable.dictionaryColumns(staging.schema())) {
            builder = builder.withDictionaryEncoding(column, true);
        }
        return builder.build();
    }

    /**
     * The Parquet schema of lake files: the data columns, required but for the label, as {@link LakeTable#sparkSchema}
     * declares them (Spark's own writer makes a non-nullable column required; a required column stores no definition
     * levels).
     */
    static MessageType fileSchema(EventSchema schema) {
        String label = schema.labelSpec().map(l -> l.name()).orElse(null);
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (LakeLayout.Column column : LakeLayout.dataColumns(schema)) {
            Type.Repetition repetition = column.name().equals(label) ? Type.Repetition.OPTIONAL : Type.Repetition.REQUIRED;
            message.addField(switch (column.type()) {
                case STRING -> Types.primitive(PrimitiveTypeName.BINARY, repetition)
                        .as(LogicalTypeAnnotation.stringType()).named(column.name());
                case TIMESTAMP -> Types.primitive(PrimitiveTypeName.INT64, repetition)
                        .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS))
                        .named(column.name());
                case DOUBLE -> Types.primitive(PrimitiveTypeName.DOUBLE, repetition).named(column.name());
                case INT -> Types.primitive(PrimitiveTypeName.INT32, repetition).named(column.name());
            });
        }
        return message.named("spark_schema");
    }

    private static StructType dataSchema(EventSchema schema) {
        StructType table = LakeTable.sparkSchema(schema);
        int data = LakeLayout.dataColumns(schema).size();
        return new StructType(Arrays.copyOf(table.fields(), data, StructField[].class));
    }

    private static long epochMicros(Object time) {
        Instant instant = time instanceof Timestamp timestamp ? timestamp.toInstant() : (Instant) time;
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000L);
    }

    private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {

        private final WriteSupport<Object[]> writeSupport;

        Builder(OutputFile file, WriteSupport<Object[]> writeSupport) {
            super(file);
            this.writeSupport = writeSupport;
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
            return writeSupport;
        }
    }

    /** Writes one {@code Object[]} of data-column values as a record. */
    private static final class RowWriteSupport extends WriteSupport<Object[]> {

        private final MessageType schema;
        private final Map<String, String> footer;
        private final PrimitiveTypeName[] types;
        private final boolean[] timestamps;
        private final boolean[] required;
        private RecordConsumer consumer;

        RowWriteSupport(MessageType schema, Map<String, String> footer) {
            this.schema = schema;
            this.footer = footer;
            List<Type> fields = schema.getFields();
            this.types = new PrimitiveTypeName[fields.size()];
            this.timestamps = new boolean[fields.size()];
            this.required = new boolean[fields.size()];
            for (int i = 0; i < types.length; i++) {
                types[i] = fields.get(i).asPrimitiveType().getPrimitiveTypeName();
                timestamps[i] = fields.get(i).getLogicalTypeAnnotation()
                        instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
                required[i] = fields.get(i).isRepetition(Type.Repetition.REQUIRED);
            }
        }

        @Override
        public WriteContext init(Configuration configuration) {
            return new WriteContext(schema, footer);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.consumer = recordConsumer;
        }

        @Override
        public void write(Object[] values) {
            if (values.length != types.length) {
                throw new IllegalArgumentException("a lake row has " + types.length + " columns, got " + values.length);
            }
            consumer.startMessage();
            for (int i = 0; i < values.length; i++) {
                Object value = values[i];
                if (value == null) {
                    if (required[i]) {
                        throw new IllegalArgumentException("lake column '" + schema.getFieldName(i) + "' is null");
                    }
                    continue;
                }
                consumer.startField(schema.getFieldName(i), i);
                switch (types[i]) {
                    case BINARY -> consumer.addBinary(Binary.fromConstantByteArray(((String) value).getBytes(StandardCharsets.UTF_8)));
                    case INT64 -> consumer.addLong(timestamps[i] ? epochMicros(value) : ((Number) value).longValue());
                    case DOUBLE -> consumer.addDouble(((Number) value).doubleValue());
                    case INT32 -> consumer.addInteger(((Number) value).intValue());
                    default -> throw new IllegalStateException("no lake column is of Parquet type " + types[i]);
                }
                consumer.endField(schema.getFieldName(i), i);
            }
            consumer.endMessage();
        }
    }
}
