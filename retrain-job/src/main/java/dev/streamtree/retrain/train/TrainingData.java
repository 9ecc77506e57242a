package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.pipeline.FeaturePipeline;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Timestamp;
import java.time.Instant;

import static org.apache.spark.sql.functions.col;

/** The transformations from lake rows to the training, validation and holdout sets. */
public final class TrainingData {

    private TrainingData() {
    }

    /** Two time-ordered parts: everything up to the cut, and the latest slice. */
    public record TimeSplit(Dataset<Row> earlier, Dataset<Row> later) {
    }

    /** Lake rows with a known label, reduced to the schema's columns plus {@link FeaturePipeline#LABEL_INDEX}. */
    public static Dataset<Row> labelled(Dataset<Row> lakeRows, EventSchema schema) {
        Column[] columns = schema.columns().stream().map(c -> col("`" + c + "`")).toArray(Column[]::new);
        return FeaturePipeline.labelledRows(lakeRows.select(columns), schema);
    }

    /**
     * The rows inside the window, which ends at {@code now} (duration windows) or at the latest event (row windows)
     * and starts at {@link TrainingWindow#lowerBound}: a change point bounds both kinds, so a row window never
     * reaches back across it.
     */
    public static Dataset<Row> window(Dataset<Row> labelled, TrainingWindow window, Instant now, EventSchema schema) {
        Column time = col(schema.eventTimeField());
        Instant lower = window.lowerBound(now);
        Dataset<Row> bounded = lower == null ? labelled : labelled.filter(time.geq(Timestamp.from(lower)));
        if (window.byRows()) {
            return bounded.orderBy(time.desc(), col(schema.idField()).desc()).limit((int) Math.min(Integer.MAX_VALUE, window.rows()));
        }
        return bounded.filter(time.leq(Timestamp.from(now)));
    }

    /** Labelled rows with an event time at or after {@code from} (every labelled row when null); lazy. */
    public static Dataset<Row> since(Dataset<Row> labelled, Instant from, EventSchema schema) {
        return from == null ? labelled : labelled.filter(col(schema.eventTimeField()).geq(Timestamp.from(from)));
    }

    /**
     * Splits by event time: roughly the latest {@code laterFraction} of rows (by the approximate event-time
     * quantile) form the later part.
     *
     * @throws IllegalArgumentException when the rows cannot be split (all share one event time)
     */
    public static TimeSplit splitByTime(Dataset<Row> rows, EventSchema schema, double laterFraction) {
        if (!(laterFraction > 0 && laterFraction < 1)) {
            throw new IllegalArgumentException("split fraction must be between 0 and 1, got " + laterFraction);
        }
        Column micros = col(schema.eventTimeField()).cast("double");
        double[] cut = rows.select(micros.alias("t")).stat().approxQuantile("t", new double[]{1 - laterFraction}, 0.0005);
        if (cut.length == 0) {
            throw new IllegalArgumentException("cannot split an empty data set by event time");
        }
        return new TimeSplit(rows.filter(micros.leq(cut[0])), rows.filter(micros.gt(cut[0])));
    }
}
