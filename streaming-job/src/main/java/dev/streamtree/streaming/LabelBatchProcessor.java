package dev.streamtree.streaming;

import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.lake.table.LakeBatch;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeCommit;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.RecordSink;
import org.apache.iceberg.DataFile;
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

/**
 * One micro-batch of the labels query, on the driver: start the labels table's lake batch, then one Spark job in which
 * each task parses its Kafka partition's label records, writes the valid ones to the labels table's files and sends
 * the refused ones to the dead-letter topic ({@link LabelPass}); then the batch's journal entry. The committer adds the
 * journaled batches to the table as for events ({@link LakeBatchWriter}): a replayed batch writes no label twice
 * (its dead letters are sent again, at-least-once, as the events query's are).
 */
final class LabelBatchProcessor implements VoidFunction2<Dataset<Row>, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(LabelBatchProcessor.class);
    private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

    private final LabelSpec classes;
    private final MicroBatchProcessor.Lake lake;
    private final String deadLetterTopic;
    private final RecordSink sink;
    private final StatusBoard board;
    private final Clock clock;
    private volatile LakeBatchWriter lakeWriter;
    private ParseCounts counts;
    private CollectionAccumulator<DataFile> lakeFiles;

    LabelBatchProcessor(LabelSpec classes, MicroBatchProcessor.Lake lake, String deadLetterTopic, RecordSink sink,
                        StatusBoard board, Clock clock) {
        this.classes = classes;
        this.lake = lake;
        this.deadLetterTopic = deadLetterTopic;
        this.sink = sink;
        this.board = board;
        this.clock = clock;
    }

    @Override
    public void call(Dataset<Row> kafkaRows, Long batchId) {
        long start = clock.millis();
        Instant batchTime = clock.instant();
        if (counts == null) {
            counts = ParseCounts.register(kafkaRows.sparkSession().sparkContext());
            lakeFiles = kafkaRows.sparkSession().sparkContext().collectionAccumulator("streamtree label files");
        }
        counts.reset();
        lakeFiles.reset();
        LakeBatchWriter writer = lakeWriter(kafkaRows);
        LakeBatch batch = writer.begin(batchId);
        LabelPass pass = new LabelPass(classes, counts, batch.target(), lakeFiles, deadLetterTopic, batchTime);
        sink.write(kafkaRows
                .select(LabelPass.SOURCE_COLUMNS.stream().map(functions::col).toArray(Column[]::new))
                .mapPartitions(pass, Encoders.row(KafkaSink.RECORD_SCHEMA)));
        LakeCommit commit = writer.finish(batch, lakeFiles.value());
        long valid = counts.valid().value();
        long refused = counts.refused().value();
        long millis = clock.millis() - start;
        LOG.info("labels batch {}: {} labels to lake{}, {} dead letters ({} ms)", batchId, valid,
                commit.replayed() ? " (already landed by an earlier attempt)" : "", refused, millis);
        board.labelBatchDone(new StatusBoard.LabelOutcome(batchId, valid + refused, commit.replayed() ? 0 : valid,
                refused, millis, counts.refusedByReason()));
    }

    private LakeBatchWriter lakeWriter(Dataset<Row> kafkaRows) {
        if (lakeWriter == null) {
            String queryId = kafkaRows.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
            if (queryId == null) {
                throw new IllegalStateException("no streaming query id on the batch thread (property "
                        + QUERY_ID_PROPERTY + "); the processor must run inside foreachBatch");
            }
            String writerId = queryId.replace("-", "").substring(0, 12);
            lakeWriter = LakeBatchWriter.start(lake.table(), LakeJournal.directory(lake.tables(), lake.identifier(), writerId),
                    writerId, kafkaRows.sparkSession().sparkContext(), lake.commitInterval(),
                    LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
        }
        return lakeWriter;
    }

    /** Commits the journaled label batches now; nothing before the first batch. */
    void commitLake() {
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            writer.committer().commitPending();
        }
    }

    /** Commits the journaled label batches and stops the committer; call once the query has stopped. */
    void closeLake() {
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            lakeWriter = null;
            writer.close();
        }
    }
}
