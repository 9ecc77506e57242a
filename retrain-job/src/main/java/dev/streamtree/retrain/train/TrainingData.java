package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.model.pipeline.FeaturePipeline;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

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

    /**
     * {@link #labelled} on rows in the driver's heap (the schema's columns, as {@link
     * dev.streamtree.retrain.source.LabelledEvents#readOnDriver} returns them): the rows whose label is one of the
     * schema's classes, with {@link FeaturePipeline#LABEL_INDEX} appended.
     */
    public static List<Row> labelledOnDriver(List<Row> rows, EventSchema schema) {
        LabelSpec label = schema.labelSpec().orElseThrow(() -> new IllegalArgumentException(
                "schema '" + schema.name() + "' has no label; a model cannot be trained on it"));
        List<Row> labelled = new ArrayList<>();
        StructType withIndex = null;
        for (Row row : rows) {
            Object value = row.getAs(label.name());
            int index = value == null ? -1 : label.classes().indexOf(value.toString());
            if (index < 0) {
                continue;
            }
            if (withIndex == null) {
                withIndex = row.schema().add(FeaturePipeline.LABEL_INDEX, DataTypes.DoubleType, true);
            }
            Object[] values = new Object[row.length() + 1];
            for (int i = 0; i < row.length(); i++) {
                values[i] = row.get(i);
            }
            values[row.length()] = (double) index;
            labelled.add(new GenericRowWithSchema(values, withIndex));
        }
        return labelled;
    }

    /** {@link #window} on rows in the driver's heap, by the same rules (a row window: time, then id, descending). */
    public static List<Row> windowOnDriver(List<Row> labelled, TrainingWindow window, Instant now, EventSchema schema) {
        // as Spark compares: both bounds truncated to the microseconds the lake keeps
        Instant lower = window.lowerBound(now) == null ? null : window.lowerBound(now).truncatedTo(ChronoUnit.MICROS);
        Instant upper = now.truncatedTo(ChronoUnit.MICROS);
        String time = schema.eventTimeField();
        List<Row> bounded = new ArrayList<>();
        for (Row row : labelled) {
            Instant at = ((Timestamp) row.getAs(time)).toInstant();
            if ((lower == null || !at.isBefore(lower)) && (window.byRows() || !at.isAfter(upper))) {
                bounded.add(row);
            }
        }
        if (window.byRows() && bounded.size() > window.rows()) {
            Comparator<Row> latestFirst = Comparator.<Row, Timestamp>comparing(r -> r.getAs(time))
                    .thenComparing(r -> UTF8String.fromString(r.getAs(schema.idField()).toString()))
                    .reversed();
            bounded.sort(latestFirst);
            return List.copyOf(bounded.subList(0, (int) window.rows()));
        }
        return bounded;
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
