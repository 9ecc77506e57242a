package dev.streamtree.streaming.score;

import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.lake.model.TreeRenderer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

/**
 * Runs on executors: turns lake rows into prediction records (key = event id, value = {@link Prediction} JSON)
 * with a {@link TreeScorer}, one row at a time.
 */
final class ScoreEvents implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final TreeScorer scorer;
    private final EventSchema schema;
    private final int idColumn;
    private final int timeColumn;
    private final int[] featureColumns;
    private final String version;
    private final long batchId;
    private final Instant scoredAt;
    private final boolean explain;

    /**
     * @param columns the lake rows' column names, in order
     */
    ScoreEvents(TreeScorer scorer, EventSchema schema, List<String> columns, String version, long batchId,
                Instant scoredAt, boolean explain) {
        this.scorer = scorer;
        this.schema = schema;
        this.idColumn = column(columns, schema.idField());
        this.timeColumn = column(columns, schema.eventTimeField());
        this.featureColumns = schema.features().stream().map(Feature::name).mapToInt(f -> column(columns, f)).toArray();
        this.version = version;
        this.batchId = batchId;
        this.scoredAt = scoredAt;
        this.explain = explain;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        TreeRenderer renderer = explain ? new TreeRenderer(schema) : null;
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                .map(row -> predict(row, renderer))
                .map(prediction -> RowFactory.create(prediction.eventId(), prediction.toJson()))
                .iterator();
    }

    /** The prediction for one lake row; {@code renderer} non-null adds the decision path. */
    Prediction predict(Row row, TreeRenderer renderer) {
        Object[] values = new Object[featureColumns.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(featureColumns[i]);
        }
        Vector features = scorer.features(values);
        double[] probabilities = scorer.probabilities(features);
        List<String> classes = scorer.classes();
        Map<String, Double> byClass = new LinkedHashMap<>();
        for (int i = 0; i < probabilities.length; i++) {
            byClass.put(classes.get(i), probabilities[i]);
        }
        List<String> path = renderer == null ? List.of() : renderer.decisionPath(scorer.tree(), features);
        return new Prediction(row.getString(idColumn), classes.get(TreeScorer.predictedIndex(probabilities)), byClass,
                version, batchId, instant(row.get(timeColumn)), scoredAt, path);
    }

    private static Instant instant(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        return ((Timestamp) value).toInstant();
    }

    private static int column(List<String> columns, String name) {
        int index = columns.indexOf(name);
        if (index < 0) {
            throw new IllegalArgumentException("scored rows have no column '" + name + "' (have " + columns + ")");
        }
        return index;
    }
}
