package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Where the lake's Iceberg tables live and how Spark and the jobs reach them: locally a Hadoop catalog whose
 * warehouse is the lake root ({@code --lake}), in production Iceberg's Glue catalog with S3FileIO and the same
 * warehouse on S3. Every table is at {@code <lake>/<database>/<table>}.
 *
 * <p>Spark reaches the tables through its session catalog ({@code spark_catalog}) replaced by Iceberg's
 * {@code SparkSessionCatalog}, so users' SQL name stays {@code <database>.<table>}; {@link #sparkConf()} is what a
 * session needs, set when it is built or, before the session first resolves a table, by {@link #configure}. The
 * jobs open the same catalog without Spark ({@link #catalog}) to create, load and commit tables.
 *
 * @param kind       {@code --catalog}: {@link CatalogKind#LOCAL} (Hadoop catalog) or {@link CatalogKind#GLUE}
 * @param warehouse  {@code --lake}: the lake root, a Hadoop path or URI (for Glue, an {@code s3://} URI)
 * @param glueRegion {@code --glue-region}; required for Glue, ignored otherwise
 * @param overrides  Iceberg catalog properties that replace or add to the derived ones (such as {@code glue.endpoint}
 *                   or {@code io-impl} for tests against a stand-in Glue); empty for the jobs
 */
public record LakeTables(CatalogKind kind, String warehouse, String glueRegion, Map<String, String> overrides) {

    private static final Logger LOG = LoggerFactory.getLogger(LakeTables.class);
    /** The Spark catalog the tables are reached through: Spark's own session catalog, replaced by Iceberg's. */
    public static final String SPARK_CATALOG = "spark_catalog";
    static final String SPARK_CATALOG_KEY = "spark.sql.catalog." + SPARK_CATALOG;
    static final String SESSION_CATALOG_CLASS = "org.apache.iceberg.spark.SparkSessionCatalog";
    /** Iceberg's target data file size for the lake: compaction (and Iceberg's own writers) roll files at 128 MB. */
    public static final long TARGET_FILE_SIZE_BYTES = 128L * 1024 * 1024;
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,127}");

    public LakeTables {
        if (kind == null) {
            throw new IllegalArgumentException("lake catalog kind is missing (--catalog local or glue)");
        }
        if (warehouse == null || warehouse.isBlank()) {
            throw new IllegalArgumentException("lake location (--lake) is empty");
        }
        kind.requireRegion(glueRegion);
        warehouse = trimSlash(warehouse.trim());
        overrides = Map.copyOf(overrides == null ? Map.of() : overrides);
    }

    /** The lake of {@code --catalog}, {@code --lake} and {@code --glue-region}. */
    public LakeTables(CatalogKind kind, String warehouse, String glueRegion) {
        this(kind, warehouse, glueRegion, Map.of());
    }

    /**
     * The lake root as a fully qualified URI, as the catalog records it (a relative local path made absolute).
     *
     * @throws IllegalArgumentException naming the location when no file system serves it
     */
    public LakeTables qualified(Configuration hadoopConf) {
        try {
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(warehouse);
            String scheme = path.toUri().getScheme();
            if (scheme != null && !scheme.equals("file")) {
                // s3://bucket/prefix and the like are qualified already, and need no file system on the driver.
                return this;
            }
            String qualified = path.getFileSystem(hadoopConf).makeQualified(path).toString();
            return new LakeTables(kind, qualified, glueRegion, overrides);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("lake location '" + warehouse + "' is not usable: " + e.getMessage(), e);
        }
    }

    /** The Iceberg catalog properties (without Spark's {@code spark.sql.catalog.<name>.} prefix). */
    public Map<String, String> catalogProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        switch (kind) {
            case LOCAL -> properties.put(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP);
            case GLUE -> {
                properties.put(CatalogProperties.CATALOG_IMPL, "org.apache.iceberg.aws.glue.GlueCatalog");
                properties.put(CatalogProperties.FILE_IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
                properties.put("client.region", glueRegion);
                // The job jars carry the URL-connection HTTP client only (see the lake module's pom).
                properties.put("http-client.type", "urlconnection");
            }
        }
        properties.putAll(overrides);
        return properties;
    }

    /**
     * The Spark settings that make {@code <database>.<table>} resolve to the Iceberg table: {@code spark_catalog}
     * as Iceberg's {@code SparkSessionCatalog} over {@link #catalogProperties()}. Non-Iceberg tables still resolve
     * through Spark's own session catalog. Spark's table cache is off, so every query sees the latest commit.
     */
    public Map<String, String> sparkConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put(SPARK_CATALOG_KEY, SESSION_CATALOG_CLASS);
        // Spark's Iceberg catalog otherwise keeps a loaded table for 30 s: a reader in the job's own session (the
        // launcher's retrain, a notebook) would miss the committer's latest appends.
        conf.put(SPARK_CATALOG_KEY + ".cache-enabled", "false");
        catalogProperties().forEach((key, value) -> conf.put(SPARK_CATALOG_KEY + "." + key, value));
        return conf;
    }

    /**
     * Applies {@link #sparkConf()} to a running session. Spark loads a catalog once, at its first use, so this works
     * only before the session resolves its first table; sessions the jobs build set it at build time.
     *
     * @throws IllegalStateException when the session already has a different {@code spark_catalog} or warehouse
     */
    public void configure(SparkSession spark) {
        String current = spark.conf().get(SPARK_CATALOG_KEY, null);
        String currentWarehouse = spark.conf().get(SPARK_CATALOG_KEY + "." + CatalogProperties.WAREHOUSE_LOCATION, null);
        if (current != null && !(current.equals(SESSION_CATALOG_CLASS) && warehouse.equals(currentWarehouse))) {
            throw new IllegalStateException("the Spark session's " + SPARK_CATALOG + " is " + current + " with warehouse "
                    + currentWarehouse + "; the lake needs " + SESSION_CATALOG_CLASS + " with warehouse " + warehouse);
        }
        sparkConf().forEach(spark.conf()::set);
    }

    /**
     * Opens the Iceberg catalog itself (no Spark session needed), named {@value #SPARK_CATALOG} like Spark's.
     *
     * @throws CatalogException when the catalog cannot be created (Glue client, file system)
     */
    public Catalog catalog(Configuration hadoopConf) {
        try {
            return CatalogUtil.buildIcebergCatalog(SPARK_CATALOG, catalogProperties(), hadoopConf);
        } catch (RuntimeException e) {
            throw new CatalogException("cannot open the " + kind + " Iceberg catalog of lake " + warehouse + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * The table identifier of {@code --database} and {@code --table}.
     *
     * @throws IllegalArgumentException naming a name that is not lower-case letters, digits and underscores (the
     *                                  names Glue, Athena and Spark all accept unquoted)
     */
    public static TableIdentifier identifier(String database, String table) {
        return TableIdentifier.of(requireName(database, "database"), requireName(table, "table"));
    }

    /** The SQL name users query, {@code <database>.<table>}. */
    public static String sqlName(TableIdentifier identifier) {
        return identifier.namespace() + "." + identifier.name();
    }

    /** The Iceberg schema of the events table: {@link LakeTable#sparkSchema}'s columns, only the label optional. */
    public static Schema eventsSchema(EventSchema schema) {
        return schemaOf(LakeTable.sparkSchema(schema));
    }

    /** An Iceberg schema for Spark columns (non-nullable columns required); ids are assigned when a table is made. */
    public static Schema schemaOf(StructType columns) {
        return SparkSchemaUtil.convert(columns);
    }

    /** Identity partitions on {@link LakeLayout#EVENT_DATE} and {@link LakeLayout#EVENT_HOUR}, kept for Athena queries. */
    public static PartitionSpec hourSpec(Schema schema) {
        return PartitionSpec.builderFor(schema).identity(LakeLayout.EVENT_DATE).identity(LakeLayout.EVENT_HOUR).build();
    }

    /**
     * Small manifests a lake table's appends let accumulate before they merge them (Iceberg's default is 100). Each
     * commit adds one manifest, and every scan plan reads them all: with the demo committing every second, 251
     * manifests made one plan take 1.0-1.3 s here, twice per poll of a drift retrain's wait for rows.
     */
    public static final int MANIFEST_MERGE_COUNT = 16;

    /**
     * The table properties every lake table is created with: format v2, 128 MB target files, Snappy (as the lake's
     * files were before Iceberg; Iceberg's default, zstd, costs more CPU on the streaming path), old metadata files
     * deleted after each commit, and the writer's appends merging their manifests once 16 small ones accumulate
     * ({@link #MANIFEST_MERGE_COUNT}).
     */
    public static Map<String, String> tableProperties() {
        return Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, Long.toString(TARGET_FILE_SIZE_BYTES),
                TableProperties.PARQUET_COMPRESSION, "snappy",
                TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
                TableProperties.MANIFEST_MIN_MERGE_COUNT, Integer.toString(MANIFEST_MERGE_COUNT));
    }

    /**
     * The events table of {@code schema}, created (with its database) when absent.
     *
     * @throws CatalogException when the catalog refuses or cannot be reached
     */
    public Table ensureEventsTable(Catalog catalog, TableIdentifier identifier, EventSchema schema) {
        Schema columns = eventsSchema(schema);
        return ensure(catalog, identifier, columns, hourSpec(columns),
                "streamtree events of schema '" + schema.name() + "' (fingerprint " + schema.fingerprint() + ")");
    }

    /**
     * A lake table, created when absent at {@code <lake>/<database>/<table>} with {@link #tableProperties()}; an
     * existing table is returned as it is.
     *
     * @throws CatalogException when the catalog refuses or cannot be reached
     */
    public Table ensure(Catalog catalog, TableIdentifier identifier, Schema columns, PartitionSpec spec,
                        String comment) {
        try {
            if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(identifier.namespace())) {
                try {
                    namespaces.createNamespace(identifier.namespace());
                } catch (org.apache.iceberg.exceptions.AlreadyExistsException e) {
                    LOG.debug("namespace {} was created concurrently", identifier.namespace());
                }
            }
            try {
                return catalog.loadTable(identifier);
            } catch (NoSuchTableException e) {
                Map<String, String> properties = new LinkedHashMap<>(tableProperties());
                properties.put("comment", comment);
                try {
                    Catalog.TableBuilder builder = catalog.buildTable(identifier, columns)
                            .withPartitionSpec(spec)
                            .withProperties(properties);
                    // A Hadoop catalog places every table there itself and refuses a location.
                    Table table = (kind == CatalogKind.GLUE ? builder.withLocation(tableLocation(identifier)) : builder)
                            .create();
                    LOG.info("created Iceberg table {} at {}", sqlName(identifier), table.location());
                    return table;
                } catch (AlreadyExistsException raced) {
                    return catalog.loadTable(identifier);
                }
            }
        } catch (RuntimeException e) {
            throw new CatalogException("cannot create or load lake table " + sqlName(identifier) + " in the " + kind
                    + " catalog of " + warehouse + ": " + e.getMessage(), e);
        }
    }

    /**
     * Loads an existing table.
     *
     * @throws CatalogException naming the table when it does not exist or the catalog cannot be reached
     */
    public Table load(Catalog catalog, TableIdentifier identifier) {
        try {
            return catalog.loadTable(identifier);
        } catch (RuntimeException e) {
            throw new CatalogException("cannot load lake table " + sqlName(identifier) + " from the " + kind
                    + " catalog of " + warehouse + ": " + e.getMessage(), e);
        }
    }

    /** {@code <lake>/<database>/<table>}: where a table's {@code data/} and {@code metadata/} are. */
    public String tableLocation(TableIdentifier identifier) {
        return warehouse + "/" + identifier.namespace() + "/" + identifier.name();
    }

    private static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' must be 1-128 lower-case letters, digits and underscores, not starting with a digit");
        }
        return name;
    }

    private static String trimSlash(String location) {
        return location.endsWith("/") && location.length() > 1 ? location.substring(0, location.length() - 1) : location;
    }
}
