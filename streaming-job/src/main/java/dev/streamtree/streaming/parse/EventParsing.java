package dev.streamtree.streaming.parse;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.timestamp_micros;

/**
 * Splits raw Kafka records into lake rows and refused records. Validation is the common
 * {@link EventValidator}, run on executors.
 */
public final class EventParsing {

    /** Kafka source columns carried through parsing, in order. */
    public static final List<String> SOURCE_COLUMNS = List.of("key", "value", "topic", "partition", "offset");
    /** Why a record was refused; null for a valid one. */
    public static final String ERROR = "_error";
    private static final String EVENT_TIME_MICROS = "_event_time_micros";

    private EventParsing() {
    }

    /**
     * Validates Kafka rows (at least the {@link #SOURCE_COLUMNS}); the result has the source columns,
     * {@link #ERROR}, and the lake columns (null for refused records). A valid record's key and value are null:
     * only refused records keep their bytes, for the dead-letter topic. Cache it: it is read several times.
     */
    public static Dataset<Row> parse(Dataset<Row> kafkaRows, EventValidator validator) {
        return parse(kafkaRows, validator, null);
    }

    /**
     * As {@link #parse(Dataset, EventValidator)}, also counting valid and refused records into {@code counts} as
     * the rows are computed (once per computation: cache the result so the counts are not inflated).
     */
    public static Dataset<Row> parse(Dataset<Row> kafkaRows, EventValidator validator, ParseCounts counts) {
        EventSchema schema = validator.schema();
        Dataset<Row> parsed = kafkaRows.select(SOURCE_COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new))
                .mapPartitions(new ParseEvents(validator, counts), Encoders.row(parsedSchema(schema)));
        return parsed.withColumn(schema.eventTimeField(), timestamp_micros(col(EVENT_TIME_MICROS)))
                .select(outputColumns(schema));
    }

    /** The rows that passed validation, in lake column order. */
    public static Dataset<Row> valid(Dataset<Row> parsed, EventSchema schema) {
        return parsed.where(col(ERROR).isNull())
                .select(LakeTable.columnNames(schema).stream().map(c -> col(c)).toArray(Column[]::new));
    }

    /** The refused records: the source columns and {@link #ERROR}. */
    public static Dataset<Row> refused(Dataset<Row> parsed) {
        List<Column> columns = new ArrayList<>();
        SOURCE_COLUMNS.forEach(c -> columns.add(col(c)));
        columns.add(col(ERROR));
        return parsed.where(col(ERROR).isNotNull()).select(columns.toArray(Column[]::new));
    }

    /**
     * Validates one Kafka record; never throws: a validator bug becomes the record's reason, so a poison record
     * cannot stop the query.
     */
    public static ValidationResult validate(EventValidator validator, byte[] key, byte[] value) {
        try {
            return validator.validate(key, value);
        } catch (RuntimeException e) {
            return new ValidationResult.Invalid("validator failed: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static StructType parsedSchema(EventSchema schema) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("key", DataTypes.BinaryType, true));
        fields.add(DataTypes.createStructField("value", DataTypes.BinaryType, true));
        fields.add(DataTypes.createStructField("topic", DataTypes.StringType, true));
        fields.add(DataTypes.createStructField("partition", DataTypes.IntegerType, true));
        fields.add(DataTypes.createStructField("offset", DataTypes.LongType, true));
        fields.add(DataTypes.createStructField(ERROR, DataTypes.StringType, true));
        for (StructField lake : LakeTable.sparkSchema(schema).fields()) {
            if (lake.name().equals(schema.eventTimeField())) {
                fields.add(DataTypes.createStructField(EVENT_TIME_MICROS, DataTypes.LongType, true));
            } else {
                fields.add(DataTypes.createStructField(lake.name(), lake.dataType(), true));
            }
        }
        return DataTypes.createStructType(fields);
    }

    private static Column[] outputColumns(EventSchema schema) {
        List<Column> columns = new ArrayList<>();
        SOURCE_COLUMNS.forEach(c -> columns.add(col(c)));
        columns.add(col(ERROR));
        LakeTable.columnNames(schema).forEach(c -> columns.add(col(c)));
        return columns.toArray(Column[]::new);
    }
}
