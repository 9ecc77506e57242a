package dev.streamtree.streaming;

import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.sink.DeadLetters;
import org.apache.iceberg.DataFile;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serial;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * A labels micro-batch's one pass over its Kafka records, in the task that reads each partition: every record is
 * parsed with {@link LabelRecord#parse} against the schema's classes; a valid label goes into the task's file of the
 * labels table ({@code event_id, label, labelled_at} and the date and hour of {@code labelled_at}), a refused record
 * becomes a dead letter (original bytes, the reason, {@link dev.streamtree.common.prediction.DeadLetterHeaders}). The
 * output is the dead letters only. A record never makes the pass throw.
 *
 * <p>Input columns: {@link #SOURCE_COLUMNS}.
 */
final class LabelPass implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Kafka source columns the labels batch reads, in order: the record's timestamp stands in for a missing labelled_at. */
    static final List<String> SOURCE_COLUMNS = List.of("key", "value", "topic", "partition", "offset", "timestamp");

    private final LabelSpec classes;
    private final ParseCounts counts;
    private final LakeTarget lake;
    private final CollectionAccumulator<DataFile> lakeFiles;
    private final String deadLetterTopic;
    private final Instant batchTime;

    /**
     * @param lake      where the labels table's files go, or null when an earlier attempt landed the batch
     * @param lakeFiles receives the files of the tasks that complete
     * @param batchTime the dead letters' failed-at time
     */
    LabelPass(LabelSpec classes, ParseCounts counts, LakeTarget lake, CollectionAccumulator<DataFile> lakeFiles,
              String deadLetterTopic, Instant batchTime) {
        this.classes = classes;
        this.counts = counts;
        this.lake = lake;
        this.lakeFiles = lakeFiles;
        this.deadLetterTopic = deadLetterTopic;
        this.batchTime = batchTime;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        return LandingProcessor.landing(records, lake, lakeFiles, this::process);
    }

    /** The dead letter of a refused record; null for a valid label (written to {@code lake} when it is set). */
    Row process(Row record, LakeFileWriter lake, HourPartitions partitions) {
        byte[] key = (byte[]) record.get(0);
        byte[] value = (byte[]) record.get(1);
        Timestamp timestamp = record.isNullAt(5) ? null : record.getTimestamp(5);
        LabelRecord label;
        try {
            label = LabelRecord.parse(key, value, classes, timestamp == null ? null : timestamp.toInstant());
        } catch (RuntimeException e) {
            counts.refuse(e instanceof LabelRecord.Invalid invalid ? invalid.kind() : ValidationResult.Kind.INTERNAL);
            String reason = e instanceof IllegalArgumentException ? e.getMessage()
                    : "label parser failed: " + e.getClass().getSimpleName() + ": " + e.getMessage();
            return DeadLetters.record(deadLetterTopic, key, value, reason, record.getString(2), record.getInt(3),
                    record.getLong(4), batchTime);
        }
        counts.valid().add(1);
        if (lake != null) {
            lake.write(partitions.of(label.labelledAt()), new Object[]{label.eventId(), label.label(), label.labelledAt()});
        }
        return null;
    }
}
