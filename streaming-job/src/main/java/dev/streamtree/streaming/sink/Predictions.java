package dev.streamtree.streaming.sink;

import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;

/** Prediction records (key = event id, value = {@link Prediction} JSON) from scored lake rows. */
public final class Predictions {

    /** Column a model's output must have: index into the model's classes. */
    public static final String PREDICTION = "prediction";
    /** Column a model's output must have: an ml Vector of class probabilities. */
    public static final String PROBABILITY = "probability";
    /** Optional column of scored rows: array of readable split conditions. */
    public static final String DECISION_PATH = "_decision_path";

    private static final Map<String, String> JSON_OPTIONS = Map.of(
            "timestampFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSXXX", "timeZone", "UTC");

    private Predictions() {
    }

    /**
     * @param scored    lake rows plus {@link #PREDICTION} and {@link #PROBABILITY} (and optionally {@link #DECISION_PATH})
     * @param classes   the model's classes, in index order
     * @param version   the scoring model's version
     * @param batchId   the micro-batch
     * @param scoredAt  when the batch was scored
     */
    public static Dataset<Row> records(Dataset<Row> scored, EventSchema schema, List<String> classes, String version,
                                       long batchId, Instant scoredAt) {
        Column classNames = array(classes.stream().map(c -> lit(c)).toArray(Column[]::new));
        List<Column> fields = new ArrayList<>(List.of(
                col(schema.idField()).as(Prediction.EVENT_ID),
                element_at(classNames, col(PREDICTION).cast("int").plus(1)).as(Prediction.PREDICTED_CLASS),
                map_from_arrays(classNames, org.apache.spark.ml.functions.vector_to_array(col(PROBABILITY), "float64"))
                        .as(Prediction.PROBABILITIES),
                lit(version).as(Prediction.MODEL_VERSION),
                lit(batchId).as(Prediction.BATCH_ID),
                col(schema.eventTimeField()).as(Prediction.EVENT_TIME),
                lit(scoredAt.toString()).as(Prediction.SCORED_AT)));
        if (List.of(scored.columns()).contains(DECISION_PATH)) {
            fields.add(col(DECISION_PATH).as(Prediction.DECISION_PATH));
        }
        return scored.select(col(schema.idField()).as("key"),
                to_json(struct(fields.toArray(Column[]::new)), JSON_OPTIONS).as("value"));
    }
}
