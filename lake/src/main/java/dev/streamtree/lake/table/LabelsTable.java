package dev.streamtree.lake.table;

import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The lake's labels table {@code <database>.labels}: every valid labels-topic record, once (the streaming job's labels
 * query writes it through the same journal and committer as the events table). An event may have several labels; the
 * latest {@code labelled_at} wins (readers pick it, see the retrain's lake read). Partitioned by the UTC date and hour
 * of {@code labelled_at}, so retention drops whole partitions as for events.
 */
public final class LabelsTable {

    /** The table's name inside the database. */
    public static final String NAME = "labels";
    public static final String EVENT_ID = "event_id";
    public static final String LABEL = "label";
    public static final String LABELLED_AT = "labelled_at";
    public static final String LABELLED_DATE = "labelled_date";
    public static final String LABELLED_HOUR = "labelled_hour";

    /** Columns in table order; the last two are the partition columns {@link LakeFileWriter} fills. */
    public static final StructType SPARK_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField(EVENT_ID, DataTypes.StringType, false),
            DataTypes.createStructField(LABEL, DataTypes.StringType, false),
            DataTypes.createStructField(LABELLED_AT, DataTypes.TimestampType, false),
            DataTypes.createStructField(LABELLED_DATE, DataTypes.StringType, false),
            DataTypes.createStructField(LABELLED_HOUR, DataTypes.IntegerType, false)));

    private LabelsTable() {
    }

    /** The labels table's identifier in {@code database}. */
    public static TableIdentifier identifier(String database) {
        return LakeTables.identifier(database, NAME);
    }

    /**
     * The labels table, created (with its database) when absent.
     *
     * @throws dev.streamtree.common.catalog.CatalogException when the catalog refuses or cannot be reached
     */
    public static Table ensure(LakeTables tables, Catalog catalog, TableIdentifier identifier) {
        Schema columns = LakeTables.schemaOf(SPARK_SCHEMA);
        PartitionSpec spec = PartitionSpec.builderFor(columns).identity(LABELLED_DATE).identity(LABELLED_HOUR).build();
        return tables.ensure(catalog, identifier, columns, spec,
                "streamtree labels: one row per valid labels-topic record; the latest labelled_at of an event wins");
    }
}
