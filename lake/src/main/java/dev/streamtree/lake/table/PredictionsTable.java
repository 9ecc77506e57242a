package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The lake's predictions table {@code <database>.predictions}: every prediction the streaming job publishes, written in
 * the micro-batch that publishes it, once (through the same journal and committer as the events table), so accuracy
 * per model version can be recomputed with SQL against the labels. Partitioned as the events table, by the event
 * time's UTC date and hour.
 */
public final class PredictionsTable {

    public static final String NAME = "predictions";
    public static final String EVENT_ID = "event_id";
    public static final String MODEL_VERSION = "model_version";
    public static final String PREDICTED_CLASS = "predicted_class";
    public static final String PROBABILITIES = "probabilities";
    public static final String BATCH_ID = "batch_id";
    public static final String EVENT_TIME = "event_time";
    public static final String SCORED_AT = "scored_at";

    /** Columns in table order; the last two are the partition columns {@link LakeFileWriter} fills. */
    public static final StructType SPARK_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField(EVENT_ID, DataTypes.StringType, false),
            DataTypes.createStructField(MODEL_VERSION, DataTypes.StringType, false),
            DataTypes.createStructField(PREDICTED_CLASS, DataTypes.StringType, false),
            DataTypes.createStructField(PROBABILITIES,
                    DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, false), false),
            DataTypes.createStructField(BATCH_ID, DataTypes.LongType, false),
            DataTypes.createStructField(EVENT_TIME, DataTypes.TimestampType, false),
            DataTypes.createStructField(SCORED_AT, DataTypes.TimestampType, false),
            DataTypes.createStructField(LakeLayout.EVENT_DATE, DataTypes.StringType, false),
            DataTypes.createStructField(LakeLayout.EVENT_HOUR, DataTypes.IntegerType, false)));

    private PredictionsTable() {
    }

    public static TableIdentifier identifier(String database) {
        return LakeTables.identifier(database, NAME);
    }

    /**
     * The predictions table, created (with its database) when absent.
     *
     * @throws dev.streamtree.common.catalog.CatalogException when the catalog refuses or cannot be reached
     */
    public static Table ensure(LakeTables tables, Catalog catalog, TableIdentifier identifier) {
        Schema columns = LakeTables.schemaOf(SPARK_SCHEMA);
        return tables.ensure(catalog, identifier, columns, LakeTables.hourSpec(columns),
                "streamtree predictions: one row per published prediction, exactly once");
    }
}
