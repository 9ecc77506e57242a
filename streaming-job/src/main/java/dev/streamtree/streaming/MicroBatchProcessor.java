package dev.streamtree.streaming;

import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeCommit;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.parse.EventParsing;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.Scoring;
import dev.streamtree.streaming.score.ServingModel;
import dev.streamtree.streaming.sink.DeadLetters;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.Predictions;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

import static org.apache.spark.sql.functions.col;

/**
 * One micro-batch, on the driver: pick the model (once, before anything else, so the whole batch is scored by
 * one version), validate on executors, refused records to the dead-letter topic, valid events to the lake
 * (exactly once) and the catalog, then predictions to Kafka.
 *
 * <p>Any failure of a sink propagates: the query stops and, restarted, replays the batch from its checkpoint.
 * The replay rewrites dead letters and predictions (at-least-once; consumers de-duplicate on event id, model
 * version and batch id) but not the lake rows (exactly-once, see {@link LakeBatchWriter}).
 */
final class MicroBatchProcessor implements VoidFunction2<Dataset<Row>, Long> {

    private static final Logger LOG = LoggerFactory.getLogger(MicroBatchProcessor.class);
    /** Spark sets this local property on the stream thread; its value persists across restarts from a checkpoint. */
    private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";

    private final StreamingConfig config;
    private final EventSchema schema;
    private final EventValidator validator;
    private final EventCatalog catalog;
    private final ModelTracker<PipelineModel> models;
    private final StatusBoard board;
    private final Clock clock;
    private LakeBatchWriter lakeWriter;
    private boolean warnedUnscored;

    MicroBatchProcessor(StreamingConfig config, EventValidator validator, EventCatalog catalog,
                        ModelTracker<PipelineModel> models, StatusBoard board, Clock clock) {
        this.config = config;
        this.schema = validator.schema();
        this.validator = validator;
        this.catalog = catalog;
        this.models = models;
        this.board = board;
        this.clock = clock;
    }

    @Override
    public void call(Dataset<Row> kafkaRows, Long batchId) {
        long started = clock.millis();
        Optional<ServingModel<PipelineModel>> model = models.refresh();
        Instant batchTime = clock.instant();
        Dataset<Row> parsed = EventParsing.parse(kafkaRows, validator).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long valid = 0;
            long refused = 0;
            for (Row count : parsed.groupBy(col(EventParsing.ERROR).isNull()).count().collectAsList()) {
                if (count.getBoolean(0)) {
                    valid = count.getLong(1);
                } else {
                    refused = count.getLong(1);
                }
            }
            if (refused > 0) {
                KafkaSink.write(DeadLetters.records(EventParsing.refused(parsed), batchTime), config.kafka(),
                        config.topics().deadLetters());
            }
            Dataset<Row> events = EventParsing.valid(parsed, schema);
            long toLake = 0;
            long predictions = 0;
            long unscored = 0;
            LakeCommit commit = null;
            if (valid > 0) {
                commit = lakeWriter(kafkaRows).write(events, batchId);
                catalog.addPartitions(commit.partitions());
                toLake = commit.replayed() ? 0 : valid;
                if (model.isPresent()) {
                    score(events, model.get(), batchId, batchTime);
                    predictions = valid;
                } else {
                    unscored = valid;
                    if (!warnedUnscored) {
                        LOG.warn("no model is serving yet (registry {} has no usable current version): events go to "
                                + "the lake, no predictions are emitted until a model is promoted", config.registry());
                        warnedUnscored = true;
                    }
                }
            }
            long millis = clock.millis() - started;
            String version = model.map(m -> m.version().toString()).orElse(null);
            LOG.info("batch {}: {} records, {} to lake{}, {} dead letters, {} predictions by {} ({} ms)", batchId,
                    valid + refused, valid, commit == null ? "" : describe(commit), refused,
                    predictions, version == null ? "no model" : version, millis);
            board.batchDone(new StatusBoard.BatchOutcome(batchId, valid + refused, toLake, refused, predictions,
                    unscored, version, models.swaps(), models.refusals(), millis));
        } finally {
            parsed.unpersist();
        }
    }

    private void score(Dataset<Row> events, ServingModel<PipelineModel> model, long batchId, Instant batchTime) {
        Dataset<Row> scored = Scoring.withPrediction(events, model.model());
        if (config.explain()) {
            scored = Scoring.withDecisionPath(scored, model.model(), schema);
        }
        KafkaSink.write(Predictions.records(scored, schema, model.metadata().classes(), model.version().toString(),
                batchId, batchTime), config.kafka(), config.topics().predictions());
    }

    private LakeBatchWriter lakeWriter(Dataset<Row> kafkaRows) {
        if (lakeWriter == null) {
            String queryId = kafkaRows.sparkSession().sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
            if (queryId == null) {
                throw new IllegalStateException("no streaming query id on the batch thread (property "
                        + QUERY_ID_PROPERTY + "); the processor must run inside foreachBatch");
            }
            lakeWriter = new LakeBatchWriter(config.lake(), queryId.replace("-", "").substring(0, 12),
                    kafkaRows.sparkSession().sparkContext().hadoopConfiguration(), clock);
        }
        return lakeWriter;
    }

    private static String describe(LakeCommit commit) {
        return commit.replayed() ? " (already committed by an earlier attempt)"
                : " (" + commit.files() + " files in " + commit.partitions().size() + " partitions)";
    }
}
