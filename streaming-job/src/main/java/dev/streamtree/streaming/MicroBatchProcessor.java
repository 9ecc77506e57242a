package dev.streamtree.streaming;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeBatch;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeCommit;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.progress.PhaseClock;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.score.BatchVersions;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.Predictor;
import dev.streamtree.streaming.score.ServingModel;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.sink.RecordSender;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One micro-batch, on the driver: pick the model (once, before anything else, so the whole batch is scored by
 * one version; for a replayed batch, the version its first attempt recorded in {@link BatchVersions}), start the
 * lake batch, then one Spark job: each task reads a Kafka partition, validates every record,
 * writes the valid events' lake files, and sends predictions and dead letters to Kafka ({@link BatchPass}). After
 * it, the batch's lake journal entry; the table commit is the committer thread's ({@link LakeBatchWriter}). Kafka is
 * read and every record validated once per batch, with no cache.
 *
 * <p>Any failure of a sink propagates: the query stops and, restarted, replays the batch from its checkpoint.
 * The replay rewrites dead letters and predictions (at-least-once; consumers de-duplicate on event id, model
 * version and batch id, which the replay repeats) but not the lake rows (exactly-once, see {@link LakeBatchWriter}).
 * Lake commits that keep failing also fail the query ({@link dev.streamtree.lake.table.LakeCommitter#checkHealthy}).
 */
final class MicroBatchProcessor implements VoidFunction2<Dataset<Row>, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchProcessor.class);
    /** Spark sets this local property on the stream thread; its value persists across restarts from a checkpoint. */
    private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

    private final StreamingConfig config;
    private final EventSchema schema;
    private final EventValidator validator;
    private final Lake lake;
    private final ModelTracker<TreeScorer> models;
    private final BatchVersions batchVersions;
    private final RecordSender sender;
    private final StatusBoard board;
    private final Clock clock;
    /** Made at the first batch (the writer id is the query's); read by {@link #commitLake} on other threads. */
    private volatile LakeBatchWriter lakeWriter;
    private ParseCounts counts;
    private CollectionAccumulator<DataFile> lakeFiles;
    private boolean warnedUnscored;
    /** False for the lake query of real-time mode, which leaves scoring to the real-time query. */
    private boolean scores = true;
    /** The predictions table, or null when predictions are not kept in the lake; its writer is made at the first batch. */
    private Lake predictionsLake;
    private volatile LakeBatchWriter predictionsWriter;
    private CollectionAccumulator<DataFile> predictionFiles;

    /**
     * The lake table the batches land in.
     *
     * @param commitInterval how often the committer commits journaled batches
     */
    record Lake(LakeTables tables, TableIdentifier identifier, Table table, Duration commitInterval) {
    }

    MicroBatchProcessor(StreamingConfig config, EventValidator validator, Lake lake,
                        ModelTracker<TreeScorer> models, BatchVersions batchVersions, RecordSender sender,
                        StatusBoard board, Clock clock) {
        this.config = config;
        this.schema = validator.schema();
        this.validator = validator;
        this.lake = lake;
        this.models = models;
        this.batchVersions = batchVersions;
        this.sender = sender;
        this.board = board;
        this.clock = clock;
    }

    /**
     * Also writes every prediction to {@code predictions} (the predictions table), in the batch that publishes it,
     * exactly once like the events; call before the first batch.
     */
    MicroBatchProcessor keepPredictionsIn(Lake predictions) {
        this.predictionsLake = predictions;
        return this;
    }

    /**
     * Only lands events (real-time mode's lake query): its batches count no predictions and no unscored events, since
     * the real-time query scores every event; call before the first batch.
     */
    MicroBatchProcessor lakeOnly() {
        this.scores = false;
        return this;
    }

    @Override
    public void call(Dataset<Row> kafkaRows, Long batchId) {
        PhaseClock phases = new PhaseClock(clock);
        Optional<ServingModel<TreeScorer>> model = model(batchId);
        phases.lap("model");
        Instant batchTime = clock.instant();
        register(kafkaRows.sparkSession().sparkContext());
        counts.reset();
        lakeFiles.reset();
        LakeBatchWriter lakeWriter = lakeWriter(kafkaRows);
        LakeBatch lakeBatch = lakeWriter.begin(batchId);
        String version = model.map(m -> m.version().toString()).orElse(null);
        Predictor predictor = model.map(m -> new Predictor(m.model(), schema, version, batchId, batchTime,
                config.explain())).orElse(null);
        LakeBatch predictionsBatch = null;
        if (predictionsLake != null && predictor != null) {
            predictionFiles.reset();
            predictionsBatch = predictionsWriter(kafkaRows).begin(batchId);
        }
        BatchPass pass = new BatchPass(validator, counts, predictor, lakeBatch.target(), lakeFiles,
                config.topics().predictions(), config.topics().deadLetters(), batchTime,
                predictionsBatch == null ? null : predictionsBatch.target(), predictionFiles);
        // Predictions and dead letters are sent, and the lake files written, by the batch's only Spark job.
        pass.run(KafkaSource.passColumns(kafkaRows), sender);
        phases.lap("records");
        LakeCommit commit = lakeWriter.finish(lakeBatch, lakeFiles.value());
        if (predictionsBatch != null) {
            predictionsWriter.finish(predictionsBatch, predictionFiles.value());
        }
        phases.lap("lake");
        long valid = counts.valid().value();
        long refused = counts.refused().value();
        long predictions = model.isPresent() ? valid : 0;
        long unscored = model.isPresent() || !scores ? 0 : valid;
        if (unscored > 0 && !warnedUnscored) {
            LOG.warn("no model is serving yet (registry {} has no usable current version): events go to "
                    + "the lake, no predictions are emitted until a model is promoted", config.registry());
            warnedUnscored = true;
        }
        long toLake = commit.replayed() ? 0 : valid;
        long millis = phases.total();
        if (scores) {
            LOG.info("batch {}: {} records, {} to lake{}, {} dead letters, {} predictions by {} ({} ms: {})", batchId,
                    valid + refused, valid, commit.files() == 0 ? "" : describe(commit), refused,
                    predictions, version == null ? "no model" : version, millis, phases);
        } else {
            LOG.info("lake batch {}: {} records, {} to lake{}, {} refused ({} ms: {})", batchId, valid + refused, valid,
                    commit.files() == 0 ? "" : describe(commit), refused, millis, phases);
        }
        board.batchDone(new StatusBoard.BatchOutcome(batchId, valid + refused, toLake, refused, predictions,
                unscored, version, models.swaps(), models.refusals(), millis, models.servingLoadMillis(),
                counts.refusedByReason()));
    }

    /**
     * The batch's model: the version its first attempt recorded, if it is a replay, else the tracker's; recorded
     * before anything is sent, so a replay can repeat it.
     */
    private Optional<ServingModel<TreeScorer>> model(long batchId) {
        Optional<ServingModel<TreeScorer>> current = models.refresh();
        Optional<VersionId> first = batchVersions.recorded(batchId);
        if (first.isEmpty()) {
            current.ifPresent(m -> batchVersions.record(batchId, m.version()));
            return current;
        }
        if (current.isPresent() && current.get().version().equals(first.get())) {
            return current;
        }
        try {
            ServingModel<TreeScorer> replayed = models.version(first.get());
            LOG.info("batch {} is a replay: scoring it with {}, the version its first attempt used ({} serves new "
                    + "batches)", batchId, first.get(), current.map(m -> m.version().toString()).orElse("no model"));
            return Optional.of(replayed);
        } catch (ModelTracker.UnavailableVersionException e) {
            LOG.warn("batch {} is a replay whose first attempt used {}, which can no longer serve ({}); scoring it with "
                    + "{} instead, so consumers cannot de-duplicate its predictions against the first attempt's",
                    batchId, first.get(), e.getMessage(), current.map(m -> m.version().toString()).orElse("no model"));
            return current;
        }
    }

    private void register(SparkContext context) {
        if (counts == null) {
            counts = ParseCounts.register(context);
            lakeFiles = context.collectionAccumulator("streamtree lake files");
            predictionFiles = context.collectionAccumulator("streamtree prediction files");
        }
    }

    private LakeBatchWriter lakeWriter(Dataset<Row> kafkaRows) {
        if (lakeWriter == null) {
            lakeWriter = startWriter(lake, kafkaRows);
        }
        return lakeWriter;
    }

    private LakeBatchWriter predictionsWriter(Dataset<Row> kafkaRows) {
        if (predictionsWriter == null) {
            predictionsWriter = startWriter(predictionsLake, kafkaRows);
        }
        return predictionsWriter;
    }

    /** The writer of {@code target} for the query running this batch (its writer id is the query's). */
    static LakeBatchWriter startWriter(Lake target, Dataset<Row> kafkaRows) {
        String queryId = kafkaRows.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
        if (queryId == null) {
            throw new IllegalStateException("no streaming query id on the batch thread (property "
                    + QUERY_ID_PROPERTY + "); the processor must run inside foreachBatch");
        }
        String writerId = queryId.replace("-", "").substring(0, 12);
        return LakeBatchWriter.start(target.table(), LakeJournal.directory(target.tables(), target.identifier(), writerId),
                writerId, kafkaRows.sparkSession().sparkContext(), target.commitInterval(),
                LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
    }

    /** Commits the journaled lake batches now; nothing before the first batch. */
    void commitLake() {
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            writer.committer().commitPending();
        }
        LakeBatchWriter predictions = predictionsWriter;
        if (predictions != null) {
            predictions.committer().commitPending();
        }
    }

    /** Commits the journaled lake batches and stops the committer; call once the query has stopped. */
    void closeLake() {
        LakeBatchWriter predictions = predictionsWriter;
        if (predictions != null) {
            predictionsWriter = null;
            predictions.close();
        }
        LakeBatchWriter writer = lakeWriter;
        if (writer != null) {
            lakeWriter = null;
            writer.close();
        }
    }

    private static String describe(LakeCommit commit) {
        return commit.replayed() ? " (already committed by an earlier attempt)"
                : " (" + commit.files() + " files in " + commit.partitions().size() + " partitions)";
    }
}
