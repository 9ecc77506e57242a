package dev.streamtree.streaming.score;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.score.TreeScorer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Instant;
import java.util.List;

/** Scoring a micro-batch's lake rows. */
public final class Scoring {

    /** Kafka records: key = event id, value = prediction JSON. */
    public static final StructType RECORD_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("key", DataTypes.StringType, false),
            DataTypes.createStructField("value", DataTypes.StringType, false)));

    private Scoring() {
    }

    /**
     * Prediction records for lake rows, in one pass.
     *
     * @param version  the scoring model's version
     * @param batchId  the micro-batch
     * @param scoredAt when the batch was scored
     * @param explain  whether to add the decision path
     */
    public static Dataset<Row> predictions(Dataset<Row> events, TreeScorer scorer, EventSchema schema, String version,
                                           long batchId, Instant scoredAt, boolean explain) {
        ScoreEvents score = new ScoreEvents(new Predictor(scorer, schema, version, batchId, scoredAt, explain), schema,
                List.of(events.columns()));
        return events.mapPartitions(score, Encoders.row(RECORD_SCHEMA));
    }
}
