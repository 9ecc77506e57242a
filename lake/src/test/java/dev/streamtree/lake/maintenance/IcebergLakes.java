package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test and benchmark fixture: Iceberg lake tables laid out as docs/lake.md describes (a Hadoop catalog in a
 * directory, identity partitions on {@code event_date} and {@code event_hour}, the lake's columns), and synthetic
 * lake rows appended in small files, one snapshot per batch, as the streaming job's commits add them. The session
 * must run in UTC ({@code spark.sql.session.timeZone}), as the job does.
 */
public final class IcebergLakes {

    public static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    private IcebergLakes() {
    }

    /** Creates table {@code db.<name>} in a Hadoop catalog at {@code warehouse}. */
    public static Table create(Path warehouse, String name) {
        return catalog(warehouse).createTable(TableIdentifier.of("db", name), schema(), spec(), Map.of(
                TableProperties.FORMAT_VERSION, "2",
                TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
                TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100",
                // as the job's tables: appends merge their manifests once there are this many
                TableProperties.MANIFEST_MIN_MERGE_COUNT, Integer.toString(LakeTables.MANIFEST_MERGE_COUNT)));
    }

    public static Table load(Path warehouse, String name) {
        return catalog(warehouse).loadTable(TableIdentifier.of("db", name));
    }

    private static HadoopCatalog catalog(Path warehouse) {
        HadoopCatalog catalog = new HadoopCatalog();
        catalog.setConf(new Configuration());
        catalog.initialize("lake", Map.of("warehouse", warehouse.toUri().toString()));
        return catalog;
    }

    private static Schema schema() {
        return SparkSchemaUtil.convert(LakeTable.sparkSchema(SCHEMA));
    }

    private static PartitionSpec spec() {
        return PartitionSpec.builderFor(schema()).identity(LakeLayout.EVENT_DATE).identity(LakeLayout.EVENT_HOUR).build();
    }

    /**
     * Rows with ids {@code e-first .. e-(first+count-1)}, event times from {@code start} every {@code step}; features
     * and label vary with the id. Deterministic, so two calls with the same arguments give the same rows.
     */
    public static Dataset<Row> rows(SparkSession spark, long first, long count, Instant start, Duration step) {
        List<String> columns = new ArrayList<>();
        String time = "timestamp_micros(" + (start.toEpochMilli() * 1000) + " + (id - " + first + ") * " + (step.toNanos() / 1000) + ")";
        for (StructField field : LakeTable.sparkSchema(SCHEMA).fields()) {
            String name = field.name();
            String expr;
            if (name.equals(SCHEMA.idField())) {
                expr = "concat('e-', id)";
            } else if (name.equals(SCHEMA.eventTimeField())) {
                expr = time;
            } else if (name.equals(LakeLayout.EVENT_DATE)) {
                expr = "date_format(" + time + ", 'yyyy-MM-dd')";
            } else if (name.equals(LakeLayout.EVENT_HOUR)) {
                expr = "hour(" + time + ")";
            } else if (field.dataType().equals(DataTypes.DoubleType)) {
                expr = "cast((id * 7919) % 100000 as double)";
            } else if (SCHEMA.labelSpec().map(l -> l.name().equals(name)).orElse(false)) {
                expr = "if(id % 3 = 0, 'A', 'B')";
            } else {
                expr = "cast(id % 5 as string)";
            }
            columns.add(expr + " as " + name);
        }
        return spark.range(first, first + count).selectExpr(columns.toArray(String[]::new));
    }

    /** Appends {@code rows} as one snapshot, in {@code files} files per hour it covers (one per task). */
    public static void append(Table table, Dataset<Row> rows, int files) {
        appendRows(table, rows, files, LakeLayout.EVENT_DATE, LakeLayout.EVENT_HOUR);
    }

    /** Appends {@code rows} as one snapshot, in {@code files} files per hour, the hour in columns {@code date, hour}. */
    public static void appendRows(Table table, Dataset<Row> rows, int files, String date, String hour) {
        try {
            rows.repartition(files).sortWithinPartitions(date, hour)
                    .writeTo(sparkName(rows.sparkSession(), table)).option("distribution-mode", "none").append();
        } catch (org.apache.spark.sql.catalyst.analysis.NoSuchTableException e) {
            throw new IllegalStateException(e);
        }
        table.refresh();
    }

    /**
     * The table's name in {@code spark}: a Hadoop {@code SparkCatalog} over its warehouse, registered on first use,
     * without the catalog's table cache, so reads see commits made through other {@link Table} objects.
     */
    public static String sparkName(SparkSession spark, Table table) {
        String name = table.name(); // lake.db.<name>
        String tableName = name.substring(name.lastIndexOf('.') + 1);
        String warehouse = java.net.URI.create(table.location()).getPath();
        warehouse = warehouse.substring(0, warehouse.length() - ("/db/" + tableName).length());
        String catalog = "lk" + Integer.toHexString(warehouse.hashCode());
        String key = "spark.sql.catalog." + catalog;
        if (!spark.conf().contains(key)) {
            spark.conf().set(key, "org.apache.iceberg.spark.SparkCatalog");
            spark.conf().set(key + ".type", "hadoop");
            spark.conf().set(key + ".warehouse", warehouse);
            spark.conf().set(key + ".cache-enabled", "false");
        }
        return catalog + ".db." + tableName;
    }

    /** Every row's id, sorted, read from the table's current snapshot. */
    public static List<String> ids(SparkSession spark, Table table) {
        return spark.table(sparkName(spark, table)).select(SCHEMA.idField()).orderBy(SCHEMA.idField())
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }
}
