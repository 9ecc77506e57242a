package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads the lake through its catalog: {@code ensureTable} then {@code spark.table(name)}. */
public final class CatalogEvents implements LabelledEvents {

    private final SparkSession spark;
    private final EventCatalog catalog;
    private final String lakeLocation;

    public CatalogEvents(SparkSession spark, EventCatalog catalog, String lakeLocation) {
        this.spark = spark;
        this.catalog = catalog;
        this.lakeLocation = lakeLocation;
    }

    @Override
    public Dataset<Row> read(EventSchema schema) {
        catalog.ensureTable(schema, lakeLocation);
        spark.catalog().refreshTable(catalog.tableName());
        return spark.table(catalog.tableName());
    }

    @Override
    public String describe() {
        return "table " + catalog.tableName() + " at " + lakeLocation;
    }
}
