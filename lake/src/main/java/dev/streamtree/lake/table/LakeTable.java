package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The lake table's Spark schema, derived from {@link LakeLayout}. */
public final class LakeTable {

    /** Parquet's switch for dictionary encoding; {@code #column} after it sets one column. */
    static final String DICTIONARY = "parquet.enable.dictionary";

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

    /**
     * Parquet writer options for lake files: dictionary encoding only for the categorical features and the label,
     * which have a few distinct values. Ids, event times and numeric features are mostly distinct; building a
     * dictionary for them and then falling back to plain encoding cost about a third of the Parquet write's CPU
     * (400k Agrawal rows: 2.4-3.0 s of CPU without, 3.6-4.6 s with) and made the files larger.
     */
    public static Map<String, String> parquetOptions(EventSchema schema) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put(DICTIONARY, "false");
        for (Feature feature : schema.features()) {
            if (!feature.isNumeric()) {
                options.put(DICTIONARY + "#" + feature.name(), "true");
            }
        }
        schema.labelSpec().ifPresent(label -> options.put(DICTIONARY + "#" + label.name(), "true"));
        return options;
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
