package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.pipeline.FeaturePipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.evaluation.BinaryClassificationEvaluator;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Scores a model on labelled rows (with {@link FeaturePipeline#LABEL_INDEX}). */
public final class Evaluation {

    private Evaluation() {
    }

    public static Metrics evaluate(PipelineModel model, Dataset<Row> labelled, EventSchema schema) {
        Dataset<Row> scored = model.transform(labelled)
                .select(FeaturePipeline.LABEL_INDEX, FeaturePipeline.PREDICTION, FeaturePipeline.RAW_PREDICTION)
                .cache();
        try {
            long rows = scored.count();
            MulticlassClassificationEvaluator multi = new MulticlassClassificationEvaluator()
                    .setLabelCol(FeaturePipeline.LABEL_INDEX)
                    .setPredictionCol(FeaturePipeline.PREDICTION);
            double accuracy = multi.setMetricName("accuracy").evaluate(scored);
            double f1 = multi.setMetricName("weightedFMeasure").evaluate(scored);
            double auc = Double.NaN;
            if (schema.labelSpec().orElseThrow().classes().size() == 2) {
                auc = new BinaryClassificationEvaluator()
                        .setLabelCol(FeaturePipeline.LABEL_INDEX)
                        .setRawPredictionCol(FeaturePipeline.RAW_PREDICTION)
                        .setMetricName("areaUnderROC")
                        .evaluate(scored);
            }
            return new Metrics(accuracy, f1, auc, rows);
        } finally {
            scored.unpersist();
        }
    }
}
