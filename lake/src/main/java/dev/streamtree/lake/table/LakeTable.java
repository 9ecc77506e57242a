package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** The lake table's Spark schema, derived from {@link LakeLayout}. */
public final class LakeTable {

    private LakeTable() {
    }

    /** Data columns then partition columns; only the label is nullable. */
    public static StructType sparkSchema(EventSchema schema) {
        List<StructField> fields = new ArrayList<>();
        for (LakeLayout.Column column : LakeLayout.dataColumns(schema)) {
            boolean nullable = schema.labelSpec().map(l -> l.name().equals(column.name())).orElse(false);
            fields.add(DataTypes.createStructField(column.name(), sparkType(column.type()), nullable));
        }
        for (LakeLayout.Column column : LakeLayout.PARTITION_COLUMNS) {
            fields.add(DataTypes.createStructField(column.name(), sparkType(column.type()), false));
        }
        return DataTypes.createStructType(fields);
    }

    /** Column names of {@link #sparkSchema}, in order. */
    public static List<String> columnNames(EventSchema schema) {
        return List.of(sparkSchema(schema).fieldNames());
    }

    public static DataType sparkType(LakeLayout.HiveType type) {
        return switch (type) {
            case STRING -> DataTypes.StringType;
            case TIMESTAMP -> DataTypes.TimestampType;
            case DOUBLE -> DataTypes.DoubleType;
            case INT -> DataTypes.IntegerType;
        };
    }
}
