package dev.streamtree.retrain;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lake-shaped rows made up from a schema (id, event time, every feature, the label), for the retrain's warm-up:
 * numeric features uniform in their range (0..1 when unbounded), categorical ones uniform over their values, and a
 * label that follows the first feature, so the tree has something to split on. Deterministic by seed.
 */
final class SyntheticRows {

    private SyntheticRows() {
    }

    static Dataset<Row> of(SparkSession spark, EventSchema schema, int n, long seed) {
        List<String> classes = schema.labelSpec().orElseThrow().classes();
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(schema.idField(), DataTypes.StringType, false));
        fields.add(DataTypes.createStructField(schema.eventTimeField(), DataTypes.TimestampType, false));
        for (Feature f : schema.features()) {
            fields.add(DataTypes.createStructField(f.name(), f.isNumeric() ? DataTypes.DoubleType : DataTypes.StringType, true));
        }
        fields.add(DataTypes.createStructField(schema.labelSpec().orElseThrow().name(), DataTypes.StringType, true));
        SplittableRandom random = new SplittableRandom(seed);
        Instant start = Instant.parse("2000-01-01T00:00:00Z");
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object[] values = new Object[fields.size()];
            values[0] = "warm-up-" + i;
            values[1] = Timestamp.from(start.plusSeconds(i));
            double first = 0;
            for (int j = 0; j < schema.features().size(); j++) {
                Feature f = schema.features().get(j);
                double u = random.nextDouble();
                if (j == 0) {
                    first = u;
                }
                if (f.isNumeric()) {
                    double min = f.min() == null ? 0 : f.min();
                    double max = f.max() == null ? min + 1 : f.max();
                    values[2 + j] = min + u * (max - min);
                } else {
                    values[2 + j] = f.values().get((int) (u * f.values().size()) % f.values().size());
                }
            }
            values[values.length - 1] = classes.get(Math.min(classes.size() - 1, (int) (first * classes.size())));
            rows.add(RowFactory.create(values));
        }
        return spark.createDataFrame(rows, DataTypes.createStructType(fields));
    }
}
