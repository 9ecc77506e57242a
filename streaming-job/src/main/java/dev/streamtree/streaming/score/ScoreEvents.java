package dev.streamtree.streaming.score;

import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.model.score.TreeScorer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.StreamSupport;

/**
 * Runs on executors: turns lake rows into prediction records (key = event id, value = {@link Prediction} JSON)
 * with a {@link TreeScorer}, one row at a time.
 */
final class ScoreEvents implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final Predictor predictor;
    private final int idColumn;
    private final int timeColumn;
    private final int[] featureColumns;

    /**
     * @param columns the lake rows' column names, in order
     */
    ScoreEvents(Predictor predictor, EventSchema schema, List<String> columns) {
        this.predictor = predictor;
        this.idColumn = column(columns, schema.idField());
        this.timeColumn = column(columns, schema.eventTimeField());
        this.featureColumns = schema.features().stream().map(Feature::name).mapToInt(f -> column(columns, f)).toArray();
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(rows, Spliterator.ORDERED), false)
                .map(this::predict)
                .map(prediction -> RowFactory.create(prediction.eventId(), prediction.toJson()))
                .iterator();
    }

    /** The prediction for one lake row. */
    Prediction predict(Row row) {
        Object[] values = new Object[featureColumns.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = row.get(featureColumns[i]);
        }
        return predictor.predict(row.getString(idColumn), instant(row.get(timeColumn)), values);
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
