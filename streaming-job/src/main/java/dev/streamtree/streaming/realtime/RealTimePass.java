package dev.streamtree.streaming.realtime;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidatedEvent;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.streaming.PassOutput;
import dev.streamtree.streaming.parse.EventParsing;
import dev.streamtree.streaming.sink.DeadLetters;
import dev.streamtree.streaming.sink.PredictionHeaders;
import dev.streamtree.streaming.sink.KafkaSink;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.SerializableConfiguration;

import java.io.Serial;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;

/**
 * A real-time task's pass over its Kafka partition, one record at a time as it arrives: every record is validated; a
 * refused one becomes a dead letter (the same bytes and headers as in micro-batch mode, failed-at being the moment it
 * was refused), a valid one a prediction by the version the executor's {@link ModelWatcher} serves at that moment
 * (none while no version is usable). The output is {@link KafkaSink#RECORD_SCHEMA} rows, each naming its topic.
 *
 * <p>Predictions carry the real-time batch's id (Spark's {@value #BATCH_ID_PROPERTY} task property) and the time the
 * event was scored, and the header {@link PredictionHeaders#SCORING} by which the lake query finds them to land in the
 * predictions table. Input columns: {@link EventParsing#SOURCE_COLUMNS}. A record never makes the pass throw.
 */
final class RealTimePass implements MapPartitionsFunction<Row, Row> {

    @Serial
    private static final long serialVersionUID = 1L;
    /** Every prediction's headers, shared (the Kafka sink only reads them): they mark it for the lake query to land. */
    private static final Row[] REAL_TIME_HEADERS = PredictionHeaders.realTime();
    /** The task property in which Spark's micro-batch and real-time executions name the batch. */
    static final String BATCH_ID_PROPERTY = "streaming.sql.batchId";

    private final EventValidator validator;
    private final String registry;
    private final SerializableConfiguration hadoopConf;
    private final Duration watchInterval;
    private final boolean explain;
    private final String predictionsTopic;
    private final String deadLetterTopic;

    RealTimePass(EventValidator validator, String registry, SerializableConfiguration hadoopConf,
                 Duration watchInterval, boolean explain, String predictionsTopic, String deadLetterTopic) {
        this.validator = validator;
        this.registry = registry;
        this.hadoopConf = hadoopConf;
        this.watchInterval = watchInterval;
        this.explain = explain;
        this.predictionsTopic = predictionsTopic;
        this.deadLetterTopic = deadLetterTopic;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> records) {
        ModelWatcher models = ModelWatcher.of(registry, validator.schema(), hadoopConf.value(), watchInterval, explain);
        long batchId = batchId(TaskContext.get());
        Clock clock = Clock.systemUTC();
        Prediction.Writer json = new Prediction.Writer();
        return new PassOutput<>(records, record -> process(record, models, batchId, clock.instant(), json), () -> {
        });
    }

    /** The Kafka record for one source record (null when a valid event has no model to score it). */
    private Row process(Row record, ModelWatcher models, long batchId, Instant now, Prediction.Writer json) {
        byte[] key = (byte[]) record.get(0);
        byte[] value = (byte[]) record.get(1);
        ValidationResult result = EventParsing.validate(validator, key, value);
        if (result instanceof ValidationResult.Invalid invalid) {
            models.deadLettered();
            return DeadLetters.record(deadLetterTopic, key, value, invalid.reason(), record.getString(2),
                    record.getInt(3), record.getLong(4), now);
        }
        ValidatedEvent event = ((ValidationResult.Valid) result).event();
        ModelWatcher.Serving serving = models.serving().orElse(null);
        if (serving == null) {
            models.unscoredEvent();
            return null;
        }
        Prediction prediction = serving.predictor().predict(event.id(), event.eventTime(), event.features().toArray(),
                batchId, now);
        models.predicted();
        return RowFactory.create(predictionsTopic, event.id().getBytes(StandardCharsets.UTF_8),
                json.write(prediction), REAL_TIME_HEADERS);
    }

    static long batchId(TaskContext task) {
        String id = task == null ? null : task.getLocalProperty(BATCH_ID_PROPERTY);
        if (id == null) {
            throw new IllegalStateException("no streaming batch id on the task (property " + BATCH_ID_PROPERTY
                    + "); the pass must run inside a streaming query");
        }
        return Long.parseLong(id);
    }
}
