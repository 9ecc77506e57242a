package dev.streamtree.lake.catalog;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.EventCatalog;
import org.apache.spark.sql.SparkSession;

/** Opens the catalog a job's {@code --catalog} names: the one place that turns a {@link CatalogKind} into a catalog. */
public final class Catalogs {

    private Catalogs() {
    }

    /**
     * The catalog of {@code kind} for {@code database.table}: Spark's session catalog of {@code spark}, or AWS Glue
     * in {@code glueRegion} (null for a local catalog).
     *
     * @throws IllegalArgumentException for a bad database or table name, or Glue without a region
     */
    public static EventCatalog open(CatalogKind kind, SparkSession spark, String database, String table,
                                    String glueRegion) {
        return switch (kind) {
            case GLUE -> GlueEventCatalog.create(glueRegion, database, table);
            case LOCAL -> new LocalSparkCatalog(spark, database, table);
        };
    }
}
