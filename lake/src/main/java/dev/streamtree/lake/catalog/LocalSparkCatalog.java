package dev.streamtree.lake.catalog;

import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.catalog.EventCatalog;
import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.catalog.RegisteredPartitions;
import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The lake table in Spark's own session catalog, so {@code spark.table("streamtree.events")} works in the
 * process that registered it (the launcher, a notebook, the retrain job).
 *
 * <p>Spark's in-memory catalog lives as long as the SparkContext, so every process that wants to read the
 * table calls {@link #ensureTable}, which also registers the partitions already on disk. The table tracks its
 * partitions in the catalog: files in a partition that was never registered are invisible until
 * {@link #addPartitions} (or the next {@link #ensureTable}) registers it.
 */
public final class LocalSparkCatalog implements EventCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSparkCatalog.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final int PARTITIONS_PER_STATEMENT = 100;

    private final SparkSession spark;
    private final String database;
    private final String table;
    private final TableIdentifier identifier;
    private final RegisteredPartitions registered = new RegisteredPartitions();

    public LocalSparkCatalog(SparkSession spark, String database, String table) {
        this.spark = spark;
        this.database = requireName(database, "database");
        this.table = requireName(table, "table");
        this.identifier = new TableIdentifier(this.table, Option.apply(this.database));
    }

    @Override
    public String tableName() {
        return database + "." + table;
    }

    @Override
    public void ensureTable(EventSchema schema, String location) {
        String qualified = qualify(location);
        List<LakeLayout.Column> all = new ArrayList<>(LakeLayout.dataColumns(schema));
        all.addAll(LakeLayout.PARTITION_COLUMNS);
        String columns = all.stream().map(c -> "`" + c.name() + "` " + c.type().hiveName()).collect(Collectors.joining(", "));
        String partitionColumns = LakeLayout.PARTITION_COLUMNS.stream().map(c -> "`" + c.name() + "`")
                .collect(Collectors.joining(", "));
        try {
            spark.sql("CREATE DATABASE IF NOT EXISTS `" + database + "`");
            spark.sql("CREATE TABLE IF NOT EXISTS " + quoted() + " (" + columns + ") USING parquet PARTITIONED BY ("
                    + partitionColumns + ") LOCATION '" + qualified.replace("\\", "\\\\").replace("'", "\\'") + "'");
            spark.sql("ALTER TABLE " + quoted() + " RECOVER PARTITIONS");
            spark.catalog().refreshTable(tableName());
        } catch (RuntimeException e) {
            throw new CatalogException("cannot register table " + tableName() + " at " + qualified + ": "
                    + firstLine(e.getMessage()), e);
        }
        LOG.info("table {} registered in the Spark session catalog at {}", tableName(), qualified);
    }

    @Override
    public void addPartitions(List<LakePartition> partitions) {
        List<LakePartition> unregistered = registered.unregistered(partitions);
        try {
            for (int from = 0; from < unregistered.size(); from += PARTITIONS_PER_STATEMENT) {
                List<LakePartition> chunk = unregistered.subList(from, Math.min(unregistered.size(), from + PARTITIONS_PER_STATEMENT));
                String specs = chunk.stream()
                        .map(p -> "PARTITION (`" + LakeLayout.EVENT_DATE + "` = '" + p.eventDate() + "', `"
                                + LakeLayout.EVENT_HOUR + "` = " + p.eventHour() + ")")
                        .collect(Collectors.joining(" "));
                spark.sql("ALTER TABLE " + quoted() + " ADD IF NOT EXISTS " + specs);
                registered.registered(chunk);
            }
            if (unregistered.isEmpty()) {
                // New files in already registered partitions are otherwise hidden by the file listing the session
                // keeps with the table's cached relation; dropping that relation makes the next read list again.
                // (Catalog.refreshTable does the same after analysing the table twice, and would also rebuild a
                // CACHE TABLE of it, which this job never makes.) ALTER TABLE ... ADD PARTITION refreshes the table
                // itself.
                spark.sessionState().catalog().refreshTable(identifier);
            }
        } catch (RuntimeException e) {
            throw new CatalogException("cannot add partitions " + partitions + " to " + tableName() + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private String quoted() {
        return "`" + database + "`.`" + table + "`";
    }

    /** The location, qualified, created if missing (Spark cannot recover partitions of a missing directory). */
    private String qualify(String location) {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            Path qualified = fs.makeQualified(path);
            fs.mkdirs(qualified);
            return qualified.toString();
        } catch (IOException | IllegalArgumentException e) {
            throw new CatalogException("lake location '" + location + "' is not usable: " + e.getMessage(), e);
        }
    }

    private static String requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(what + " name '" + name
                    + "' must be letters, digits and underscores, not starting with a digit");
        }
        return name;
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
