package dev.streamtree.retrain.source;

import dev.streamtree.lake.catalog.GlueEventCatalog;
import dev.streamtree.common.catalog.CatalogedFiles;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Reads the lake through the Glue Data Catalog's API: the files of the partitions Glue lists, with the lake's
 * own column types. This works on any Spark session, with or without a Hive metastore client for Glue, so
 * {@code --catalog glue} reads what Glue catalogues by construction rather than by the cluster's defaults
 * (a session without Hive support would resolve {@code spark.table} against its in-memory catalog).
 */
public final class GlueCatalogEvents implements LabelledEvents {

    private static final Logger LOG = LoggerFactory.getLogger(GlueCatalogEvents.class);

    private final SparkSession spark;
    private final GlueEventCatalog catalog;
    private final String lakeLocation;

    public GlueCatalogEvents(SparkSession spark, GlueEventCatalog catalog, String lakeLocation) {
        this.spark = spark;
        this.catalog = catalog;
        this.lakeLocation = lakeLocation;
    }

    @Override
    public Dataset<Row> read(EventSchema schema) {
        catalog.ensureTable(schema, lakeLocation);
        CatalogedFiles files = catalog.files();
        List<String> locations = files.partitions().stream().map(CatalogedFiles.Located::location).toList();
        LOG.info("reading {} partitions of Glue table {} at {}", locations.size(), catalog.tableName(), files.location());
        if (locations.isEmpty()) {
            return spark.createDataFrame(List.of(), LakeTable.sparkSchema(schema));
        }
        // basePath: partition columns come from the directory names, typed by the lake's schema.
        return spark.read().schema(LakeTable.sparkSchema(schema)).option("basePath", files.location())
                .parquet(locations.toArray(String[]::new));
    }

    @Override
    public String describe() {
        return "Glue table " + catalog.tableName() + " at " + lakeLocation;
    }
}
