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

    /**
     * The same figures from one Spark job: the scored rows are collected and counted on the driver, for holdouts small
     * enough to hold there (a quick retrain's). Accuracy and weighted F1 equal {@link #evaluate}'s; AUC ranks rows by
     * the positive class's probability, as cross-validation does, where {@link #evaluate} ranks by the raw leaf count.
     */
    public static Metrics evaluateOnDriver(PipelineModel model, Dataset<Row> labelled, EventSchema schema) {
        int classes = schema.labelSpec().orElseThrow().classes().size();
        java.util.List<Row> scored = model.transform(labelled)
                .select(FeaturePipeline.LABEL_INDEX, FeaturePipeline.PREDICTION, FeaturePipeline.PROBABILITY)
                .collectAsList();
        int n = scored.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot evaluate a model on no rows");
        }
        int[] labels = new int[n];
        int[] predicted = new int[n];
        double[] positive = new double[n];
        for (int i = 0; i < n; i++) {
            Row row = scored.get(i);
            labels[i] = (int) row.getDouble(0);
            predicted[i] = (int) row.getDouble(1);
            org.apache.spark.ml.linalg.Vector p = row.getAs(2);
            positive[i] = p.size() > 1 ? p.apply(1) : 0;
        }
        return Metrics.of(labels, predicted, positive, classes);
    }
}
