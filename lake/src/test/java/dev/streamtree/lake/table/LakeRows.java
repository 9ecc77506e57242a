package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidatedEvent;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: the lake rows ({@link LakeTable#sparkSchema}) of raw event records, validated by the job's
 * {@link EventValidator} on the driver; the records it refuses are left out, as the job leaves them out of the lake.
 */
public final class LakeRows {

    private LakeRows() {
    }

    /**
     * @param ids    the records' Kafka keys
     * @param values their JSON values, one per key
     */
    public static Dataset<Row> of(SparkSession spark, EventValidator validator, String[] ids, byte[][] values) {
        EventSchema schema = validator.schema();
        boolean labelled = schema.labelSpec().isPresent();
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            if (validator.validate(ids[i].getBytes(StandardCharsets.UTF_8), values[i])
                    instanceof ValidationResult.Valid valid) {
                rows.add(row(valid.event(), labelled));
            }
        }
        return spark.createDataFrame(rows, LakeTable.sparkSchema(schema));
    }

    private static Row row(ValidatedEvent event, boolean labelled) {
        List<Object> values = new ArrayList<>();
        values.add(event.id());
        values.add(Timestamp.from(event.eventTime()));
        values.addAll(event.features());
        if (labelled) {
            values.add(event.label());
        }
        LakePartition partition = LakePartition.of(event.eventTime());
        values.add(partition.eventDate());
        values.add(partition.eventHour());
        return RowFactory.create(values.toArray());
    }
}
