package dev.streamtree.streaming;

import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeBatch;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeCommit;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.RecordSink;
import org.apache.iceberg.DataFile;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * One micro-batch of a query that lands one topic's records in one lake table (the labels query; in real-time mode,
 * the predictions query), on the driver: start the table's lake batch, then one Spark job in which each task parses
 * its Kafka partition's records, writes the valid ones to the table's files and sends the refused ones to the
 * dead-letter topic (the {@link Pass}); then the batch's journal entry. The committer adds the journaled batches to the
 * table as for events ({@link LakeBatchWriter}): a replayed batch writes no row twice (its dead letters are sent again,
 * at-least-once, as the events query's are).
 */
final class LandingProcessor implements VoidFunction2<Dataset<Row>, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(LandingProcessor.class);

    /** One record of a landing pass: its dead letter, or null (a landed row is written to {@code lake} when it is set). */
    @FunctionalInterface
    interface RecordStep {
        Row process(Row record, LakeFileWriter lake, HourPartitions partitions);
    }

    /**
     * A task's landing pass over its records: each goes through {@code step} with the task's file writer of
     * {@code lake} (none when {@code lake} is null: an earlier attempt landed the batch); the dead letters come out,
     * and once the last record is taken the task's files go to {@code lakeFiles}.
     */
    static Iterator<Row> landing(Iterator<Row> records, LakeTarget lake, CollectionAccumulator<DataFile> lakeFiles,
                                 RecordStep step) {
        LakeFileWriter files = lake == null ? null : LakeFileWriter.forCurrentTask(lake);
        HourPartitions partitions = new HourPartitions();
        return new PassOutput<>(records, record -> step.process(record, files, partitions), () -> {
            if (files != null) {
                files.finish().forEach(lakeFiles::add);
            }
        });
    }

    /** The task-side pass of one batch: its output is the batch's dead letters. */
    @FunctionalInterface
    interface Pass {
        /**
         * @param target    where the table's files go, or null when an earlier attempt landed the batch
         * @param files     receives the files of the tasks that complete
         * @param batchTime the dead letters' failed-at time
         */
        MapPartitionsFunction<Row, Row> of(ParseCounts counts, LakeTarget target, CollectionAccumulator<DataFile> files,
                                           Instant batchTime);
    }

    private final String what;
    private final List<String> sourceColumns;
    private final Pass pass;
    private final MicroBatchProcessor.Lake lake;
    private final RecordSink sink;
    private final Consumer<StatusBoard.LabelOutcome> outcomes;
    private final Clock clock;
    private volatile LakeBatchWriter lakeWriter;
    private ParseCounts counts;
    private CollectionAccumulator<DataFile> lakeFiles;

    /**
     * @param what          what lands, for the log ("labels", "predictions")
     * @param sourceColumns the Kafka source columns the pass reads, in order
     * @param outcomes      receives each batch's counts
     */
    LandingProcessor(String what, List<String> sourceColumns, Pass pass, MicroBatchProcessor.Lake lake,
                     RecordSink sink, Consumer<StatusBoard.LabelOutcome> outcomes, Clock clock) {
        this.what = what;
        this.sourceColumns = List.copyOf(sourceColumns);
        this.pass = pass;
        this.lake = lake;
        this.sink = sink;
        this.outcomes = outcomes;
        this.clock = clock;
    }

    @Override
    public void call(Dataset<Row> kafkaRows, Long batchId) {
        long start = clock.millis();
        Instant batchTime = clock.instant();
        if (counts == null) {
            counts = ParseCounts.register(kafkaRows.sparkSession().sparkContext());
            lakeFiles = kafkaRows.sparkSession().sparkContext().collectionAccumulator("streamtree " + what + " files");
        }
        counts.reset();
        lakeFiles.reset();
        if (lakeWriter == null) {
            lakeWriter = MicroBatchProcessor.startWriter(lake, kafkaRows);
        }
        LakeBatch batch = lakeWriter.begin(batchId);
        sink.write(kafkaRows
                .select(sourceColumns.stream().map(functions::col).toArray(Column[]::new))
                .mapPartitions(pass.of(counts, batch.target(), lakeFiles, batchTime), Encoders.row(KafkaSink.RECORD_SCHEMA)));
        LakeCommit commit = lakeWriter.finish(batch, lakeFiles.value());
        long valid = counts.valid().value();
        long refused = counts.refused().value();
        long millis = clock.millis() - start;
        LOG.info("{} batch {}: {} {} to lake{}, {} dead letters ({} ms)", what, batchId, valid, what,
                commit.replayed() ? " (already landed by an earlier attempt)" : "", refused, millis);
        outcomes.accept(new StatusBoard.LabelOutcome(batchId, valid + refused, commit.replayed() ? 0 : valid,
                refused, millis, counts.refusedByReason()));
    }

    /** Commits the journaled batches now; nothing before the first batch. */
    void commitLake() {
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            writer.committer().commitPending();
        }
    }

    /** Commits the journaled batches and stops the committer; call once the query has stopped. */
    void closeLake() {
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            lakeWriter = null;
            writer.close();
        }
    }
}
