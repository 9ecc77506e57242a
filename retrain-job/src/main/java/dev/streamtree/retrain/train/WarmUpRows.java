package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.lake.table.LakeTable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic lake rows of a schema, for warming up a new JVM's retrain code before the first real retrain
 * ({@code RetrainJob.warmUp}): every feature drawn at random within its range or categories, the label decided by the
 * first feature (so a tree has a split to find), one second apart in event time. Rows carry the lake table's Spark
 * schema, as the driver read's rows do. Never written to the lake.
 */
public final class WarmUpRows {

    private WarmUpRows() {
    }

    /** The rows' Spark schema: the lake table's ({@link LakeTable#sparkSchema}). */
    public static StructType schema(EventSchema schema) {
        return LakeTable.sparkSchema(schema);
    }

    /**
     * {@code count} rows ending at {@code end}, seeded so that every call gives the same rows.
     *
     * @throws IllegalArgumentException when the schema has no label (nothing to train)
     */
    public static List<Row> of(EventSchema schema, int count, Instant end) {
        List<String> classes = schema.labelSpec().orElseThrow(() ->
                new IllegalArgumentException("schema has no label: nothing to warm up")).classes();
        Random random = new Random(17);
        StructType rowType = schema(schema);
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Instant time = end.minusSeconds(count - i);
            ZonedDateTime utc = time.atZone(ZoneOffset.UTC);
            List<Object> values = new ArrayList<>();
            values.add("warm-up-" + i);
            values.add(Timestamp.from(time));
            double first = -1;
            for (Feature feature : schema.features()) {
                double u = random.nextDouble();
                if (first < 0) {
                    first = u;
                }
                values.add(feature.valueAt(u));
            }
            values.add(classes.get(Math.min(classes.size() - 1, (int) (first * classes.size()))));
            values.add(utc.format(DateTimeFormatter.ISO_LOCAL_DATE));
            values.add(utc.getHour());
            rows.add(new GenericRowWithSchema(values.toArray(), rowType));
        }
        return rows;
    }
}
