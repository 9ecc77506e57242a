package dev.streamtree.common.catalog;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;

import java.util.ArrayList;
import java.util.List;

/**
 * The lake table's columns, engine-neutral: schema columns in {@link EventSchema#columns()} order with their
 * Hive types, then the partition columns. Spark's {@code StructType} and Glue's table input both derive from
 * this.
 */
public final class LakeLayout {

    /** Partition column: the event time's UTC date, {@code yyyy-MM-dd}. */
    public static final String EVENT_DATE = "event_date";
    /** Partition column: the event time's UTC hour, 0-23. */
    public static final String EVENT_HOUR = "event_hour";

    public static final List<Column> PARTITION_COLUMNS = List.of(
            new Column(EVENT_DATE, HiveType.STRING), new Column(EVENT_HOUR, HiveType.INT));

    /** Column types used by the lake, by their Hive/Glue names. */
    public enum HiveType {
        STRING("string"), TIMESTAMP("timestamp"), DOUBLE("double"), INT("int");

        private final String hiveName;

        HiveType(String hiveName) {
            this.hiveName = hiveName;
        }

        public String hiveName() {
            return hiveName;
        }
    }

    /** One column: name and type. */
    public record Column(String name, HiveType type) {
    }

    private LakeLayout() {
    }

    /** Data columns (not the partition columns) of the table for this schema, in file order. */
    public static List<Column> dataColumns(EventSchema schema) {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column(schema.idField(), HiveType.STRING));
        columns.add(new Column(schema.eventTimeField(), HiveType.TIMESTAMP));
        for (Feature feature : schema.features()) {
            columns.add(new Column(feature.name(), feature.isNumeric() ? HiveType.DOUBLE : HiveType.STRING));
        }
        schema.labelSpec().ifPresent(label -> columns.add(new Column(label.name(), HiveType.STRING)));
        return List.copyOf(columns);
    }
}
