package dev.streamtree.streaming;

import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.sink.DeadLetters;
import dev.streamtree.streaming.sink.PredictionHeaders;
import org.apache.iceberg.DataFile;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serial;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * Real-time mode's predictions batch: one pass over the predictions topic's records, in the task that reads each
 * partition. A record marked as a real-time prediction ({@link PredictionHeaders}) is parsed with
 * {@link Prediction#parse} and goes into the task's file of the predictions table; a marked record that does not parse
 * becomes a dead letter (original bytes, the reason, the source coordinates); an unmarked record (a micro-batch
 * prediction, landed by its own batch, or anything else on the topic) is skipped. The output is the dead letters only.
 * A record never makes the pass throw.
 *
 * <p>Input columns: {@link #SOURCE_COLUMNS}.
 */
final class PredictionLandingPass implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Kafka source columns the pass reads, in order (the source must include headers). */
    static final List<String> SOURCE_COLUMNS = List.of("key", "value", "headers", "topic", "partition", "offset");

    private final ParseCounts counts;
    private final LakeTarget lake;
    private final CollectionAccumulator<DataFile> lakeFiles;
    private final String deadLetterTopic;
    private final Instant batchTime;

    /**
     * @param lake      where the predictions table's files go, or null when an earlier attempt landed the batch
     * @param lakeFiles receives the files of the tasks that complete
     * @param batchTime the dead letters' failed-at time
     */
    PredictionLandingPass(ParseCounts counts, LakeTarget lake, CollectionAccumulator<DataFile> lakeFiles,
                          String deadLetterTopic, Instant batchTime) {
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

    /**
     * The dead letter of a marked record that does not parse; null for a landed prediction (written to {@code lake}
     * when it is set) and for an unmarked record.
     */
    Row process(Row record, LakeFileWriter lake, HourPartitions partitions) {
        if (!PredictionHeaders.isRealTime(record.isNullAt(2) ? null : record.getList(2))) {
            return null;
        }
        byte[] key = (byte[]) record.get(0);
        byte[] value = (byte[]) record.get(1);
        Prediction prediction;
        try {
            if (value == null) {
                throw new IllegalArgumentException("prediction record has no value");
            }
            prediction = Prediction.parse(value);
        } catch (RuntimeException e) {
            counts.refuse(ValidationResult.Kind.JSON);
            String reason = "real-time prediction cannot be landed in the predictions table: "
                    + (e instanceof IllegalArgumentException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage());
            return DeadLetters.record(deadLetterTopic, key, value, reason, record.getString(3), record.getInt(4),
                    record.getLong(5), batchTime);
        }
        counts.valid().add(1);
        if (lake != null) {
            lake.write(partitions.of(prediction.eventTime()), new Object[]{prediction.eventId(),
                    prediction.modelVersion(), prediction.predictedClass(), prediction.probabilities(),
                    prediction.batchId(), prediction.eventTime(), prediction.scoredAt()});
        }
        return null;
    }
}
