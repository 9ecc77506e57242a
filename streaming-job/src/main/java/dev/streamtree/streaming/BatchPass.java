package dev.streamtree.streaming;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidatedEvent;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.EventParsing;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.score.Predictor;
import dev.streamtree.streaming.sink.DeadLetters;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.RecordSender;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.iceberg.DataFile;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.util.CollectionAccumulator;

import java.io.Serial;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;

/**
 * A micro-batch's one pass over its Kafka records, in the task that reads each Kafka partition: every record is
 * validated; a valid event goes into the task's lake file and, when a model serves, becomes a prediction record; a
 * refused record becomes a dead-letter record. The output is the Kafka records, each naming its topic, which the
 * task's {@link RecordSender} sends. Once the last record is out, the task's lake files are complete and their
 * {@link DataFile}s go to {@code lakeFiles}, which the driver journals; a task that fails adds nothing and deletes
 * its files.
 *
 * <p>Input columns: {@link EventParsing#SOURCE_COLUMNS}. A record never makes the pass throw; a lake file that
 * cannot be written does, and fails the task (and, after Spark's retries, the batch).
 */
final class BatchPass implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final EventValidator validator;
    private final ParseCounts counts;
    private final Predictor predictor;
    private final LakeTarget lake;
    private final CollectionAccumulator<DataFile> lakeFiles;
    private final String predictionsTopic;
    private final String deadLetterTopic;
    private final Instant batchTime;
    private final int lakeWidth;
    /** The predictions table's target and files; null target when predictions are not kept in the lake. */
    private final LakeTarget predictionsLake;
    private final CollectionAccumulator<DataFile> predictionFiles;

    /**
     * @param predictor   the batch's scoring, or null when no model serves (no predictions)
     * @param lake        where lake files go, or null when an earlier attempt landed the batch in the lake
     * @param lakeFiles   receives the lake files of the tasks that complete
     * @param batchTime   the dead letters' failed-at time
     */
    BatchPass(EventValidator validator, ParseCounts counts, Predictor predictor, LakeTarget lake,
              CollectionAccumulator<DataFile> lakeFiles, String predictionsTopic, String deadLetterTopic,
              Instant batchTime) {
        this(validator, counts, predictor, lake, lakeFiles, predictionsTopic, deadLetterTopic, batchTime, null, null);
    }

    /**
     * As above, and every prediction also goes into the task's file of the predictions table.
     *
     * @param predictionsLake where the predictions table's files go, or null (none: no model, or an earlier attempt
     *                        landed the batch's predictions)
     * @param predictionFiles receives those files of the tasks that complete
     */
    BatchPass(EventValidator validator, ParseCounts counts, Predictor predictor, LakeTarget lake,
              CollectionAccumulator<DataFile> lakeFiles, String predictionsTopic, String deadLetterTopic,
              Instant batchTime, LakeTarget predictionsLake, CollectionAccumulator<DataFile> predictionFiles) {
        this.predictionsLake = predictionsLake;
        this.predictionFiles = predictionFiles;
        this.validator = validator;
        this.counts = counts;
        this.predictor = predictor;
        this.lake = lake;
        this.lakeFiles = lakeFiles;
        this.predictionsTopic = predictionsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.batchTime = batchTime;
        this.lakeWidth = LakeLayout.dataColumns(validator.schema()).size();
    }

    /** One task's pass: its output records, made as they are taken; the lake files are complete after the last. */
    Iterator<ProducerRecord<byte[], byte[]>> call(Iterator<InternalRow> records) {
        LakeFileWriter files = lake == null ? null : LakeFileWriter.forCurrentTask(lake);
        LakeFileWriter predictionsFiles = predictionsLake == null || predictor == null ? null
                : LakeFileWriter.forCurrentTask(predictionsLake);
        Task task = new Task(files, predictionsFiles);
        return new PassOutput<>(records, task::process, () -> {
            if (files != null) {
                files.finish().forEach(lakeFiles::add);
            }
            if (predictionsFiles != null) {
                predictionsFiles.finish().forEach(predictionFiles::add);
            }
        });
    }

    /** A task's state for the pass: where its rows go, and what it keeps from record to record. */
    final class Task {

        private final LakeFileWriter lake;
        private final LakeFileWriter predictionsLake;
        private final HourPartitions partitions = new HourPartitions();
        private final Prediction.Writer json = new Prediction.Writer();

        /**
         * @param lake            the task's lake file writer, or null (no lake rows)
         * @param predictionsLake the task's predictions table writer, or null (no prediction rows)
         */
        Task(LakeFileWriter lake, LakeFileWriter predictionsLake) {
            this.lake = lake;
            this.predictionsLake = predictionsLake;
        }

        /**
         * The Kafka record for one source record (Spark's internal row of {@link EventParsing#SOURCE_COLUMNS}), or null
         * when a valid event has no model to score it.
         */
        ProducerRecord<byte[], byte[]> process(InternalRow record) {
            byte[] key = record.isNullAt(0) ? null : record.getBinary(0);
            byte[] value = record.isNullAt(1) ? null : record.getBinary(1);
            ValidationResult result = EventParsing.validate(validator, key, value);
            if (result instanceof ValidationResult.Invalid invalid) {
                counts.refuse(invalid.kind());
                return DeadLetters.producerRecord(deadLetterTopic, key, value, invalid.reason(),
                        record.getUTF8String(2).toString(), record.getInt(3), record.getLong(4), batchTime);
            }
            counts.valid().add(1);
            ValidatedEvent event = ((ValidationResult.Valid) result).event();
            if (lake != null) {
                lake.write(partitions.of(event.eventTime()), lakeRow(event));
            }
            if (predictor == null) {
                return null;
            }
            Prediction prediction = predictor.predict(event.id(), event.eventTime(), event.features().toArray());
            if (predictionsLake != null) {
                predictionsLake.write(partitions.of(event.eventTime()), new Object[]{prediction.eventId(),
                        prediction.modelVersion(), prediction.predictedClass(), prediction.probabilities(),
                        prediction.batchId(), prediction.eventTime(), prediction.scoredAt()});
            }
            return new ProducerRecord<>(predictionsTopic, event.id().getBytes(StandardCharsets.UTF_8),
                    json.write(prediction));
        }
    }

    /** The lake data columns ({@link LakeLayout#dataColumns}): id, event time, features, label if the schema has one. */
    private Object[] lakeRow(ValidatedEvent event) {
        Object[] row = new Object[lakeWidth];
        row[0] = event.id();
        row[1] = event.eventTime();
        int i = 2;
        for (Object feature : event.features()) {
            row[i++] = feature;
        }
        if (i < lakeWidth) {
            row[i] = event.label();
        }
        return row;
    }

    /**
     * Runs the pass over {@code sourceRows} ({@link KafkaSource#passColumns}) as one Spark job, each task handing its
     * records to {@code sender}. The pass reads Spark's internal rows and makes producer records, with no conversion
     * to {@code Row} and back: the encoder's deserializer and serializer around a {@code mapPartitions} were 9 % of
     * the job's executor samples in the throughput part (JFR of 2026-12-05 01:00 UTC), and Spark's Kafka sink, which
     * took the rows, planned its write in each batch before the first task started ({@link KafkaSink#sender}).
     */
    void run(Dataset<Row> sourceRows, RecordSender sender) {
        org.apache.spark.sql.classic.Dataset<Row> source = (org.apache.spark.sql.classic.Dataset<Row>) sourceRows;
        source.queryExecution().toRdd().toJavaRDD().foreachPartition(records -> sender.send(call(records)));
    }
}
