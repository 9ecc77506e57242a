package dev.streamtree.bench.spike;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Lake rows of the Agrawal schema ({@link LakeTable#sparkSchema} columns: data columns then event_date, event_hour),
 * with feature values drawn uniformly from the schema's ranges. Only the layout matters to the spike, so labels are
 * random rather than an Agrawal function's.
 */
final class SpikeRows {

    private static final String[] LABELS = {"A", "B"};

    private final SparkSession spark;
    private final EventSchema schema;
    private final SplittableRandom random;
    private long nextId;

    SpikeRows(SparkSession spark, EventSchema schema, long seed) {
        this.spark = spark;
        this.schema = schema;
        this.random = new SplittableRandom(seed);
    }

    /**
     * {@code n} rows with event times spread evenly over {@code [from, from + spanSeconds)}, in {@code tasks} Spark
     * partitions, cached and materialised so that generating them is not part of what is measured.
     */
    Dataset<Row> cached(int n, Instant from, long spanSeconds, int tasks) {
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(row(from.plusMillis(spanSeconds * 1000L * i / n)));
        }
        Dataset<Row> frame = spark.createDataFrame(rows, LakeTable.sparkSchema(schema)).repartition(tasks).cache();
        frame.count();
        return frame;
    }

    private Row row(Instant eventTime) {
        List<Object> values = new ArrayList<>();
        values.add("e" + (nextId++));
        values.add(Timestamp.from(eventTime));
        schema.features().forEach(feature -> {
            if (feature.isNumeric()) {
                double min = feature.min() == null ? 0 : feature.min();
                double max = feature.max() == null ? 1 : feature.max();
                values.add(min + random.nextDouble() * (max - min));
            } else {
                List<String> allowed = feature.values();
                values.add(allowed.get(random.nextInt(allowed.size())));
            }
        });
        values.add(LABELS[random.nextInt(2)]);
        LakePartition partition = LakePartition.of(eventTime);
        values.add(partition.eventDate());
        values.add(partition.eventHour());
        return RowFactory.create(values.toArray());
    }
}
