package dev.streamtree.streaming.score;

import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.pipeline.TreeRenderer;
import dev.streamtree.model.score.TreeScorer;
import org.apache.spark.ml.linalg.Vector;

import java.io.Serial;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * One micro-batch's scoring, shipped to its tasks: the serving version's {@link TreeScorer} and what every
 * prediction of the batch carries (version, batch id, scored-at). Plain Java, one event at a time.
 */
public final class Predictor implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private final TreeScorer scorer;
    private final EventSchema schema;
    private final String version;
    private final long batchId;
    private final Instant scoredAt;
    private final boolean explain;
    private transient TreeRenderer renderer;

    /**
     * @param version  the scoring model's version
     * @param batchId  the micro-batch
     * @param scoredAt when the batch was scored
     * @param explain  whether predictions carry the decision path
     */
    public Predictor(TreeScorer scorer, EventSchema schema, String version, long batchId, Instant scoredAt,
                     boolean explain) {
        this.scorer = scorer;
        this.schema = schema;
        this.version = version;
        this.batchId = batchId;
        this.scoredAt = scoredAt;
        this.explain = explain;
    }

    /**
     * The prediction for one event.
     *
     * @param features one value per schema feature, in schema order
     */
    public Prediction predict(String eventId, Instant eventTime, Object[] features) {
        return predict(eventId, eventTime, features, batchId, scoredAt);
    }

    /**
     * The prediction for one event, naming another batch and scoring time than the ones this predictor was made
     * with (the real-time query scores each event as it arrives, see {@code dev.streamtree.streaming.realtime}).
     *
     * @param features one value per schema feature, in schema order
     */
    public Prediction predict(String eventId, Instant eventTime, Object[] features, long batch, Instant at) {
        Vector vector = scorer.features(features);
        TreeScorer.Score score = scorer.score(vector);
        List<String> path = explain ? renderer().decisionPath(scorer.tree(), vector) : List.of();
        return new Prediction(eventId, score.predictedClass(), score.probabilities(), version, batch, eventTime, at, path);
    }

    private TreeRenderer renderer() {
        if (renderer == null) {
            renderer = new TreeRenderer(schema);
        }
        return renderer;
    }
}
