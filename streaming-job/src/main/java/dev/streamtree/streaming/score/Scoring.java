package dev.streamtree.streaming.score;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.model.FeaturePipeline;
import dev.streamtree.lake.model.TreeRenderer;
import dev.streamtree.streaming.sink.Predictions;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

/** Scoring steps applied to a micro-batch's lake rows. */
public final class Scoring {

    private Scoring() {
    }

    /** Adds the model's {@code prediction} and {@code probability} (and its helper columns). */
    public static Dataset<Row> withPrediction(Dataset<Row> events, PipelineModel model) {
        return model.transform(events);
    }

    /**
     * Adds {@link Predictions#DECISION_PATH}: the split conditions each row satisfied, read from the model's
     * assembled feature vector. A UDF because it walks the tree; the tree (serializable) and the schema are the
     * only things shipped.
     */
    public static Dataset<Row> withDecisionPath(Dataset<Row> scored, PipelineModel model, EventSchema schema) {
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
        UDF1<Vector, List<String>> path = features -> new TreeRenderer(schema).decisionPath(tree, features);
        UserDefinedFunction explain = udf(path, DataTypes.createArrayType(DataTypes.StringType));
        return scored.withColumn(Predictions.DECISION_PATH, explain.apply(col(FeaturePipeline.FEATURES)));
    }
}
