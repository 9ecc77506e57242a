package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.spark.SparkReadOptions;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Reads the lake's Iceberg events table through the session's {@code spark_catalog} ({@link LakeTables}, local or
 * Glue), pinned to the table's current snapshot so the version can record what it was trained on. A window's start
 * becomes a filter on the partition columns (whole hours before it are never planned) and on the event time (which
 * Iceberg also checks against each file's column bounds).
 */
public final class LakeTableEvents implements LabelledEvents {

    private static final Logger LOG = LoggerFactory.getLogger(LakeTableEvents.class);

    private final SparkSession spark;
    private final LakeTables tables;
    private final TableIdentifier identifier;
    private Catalog catalog;

    /**
     * @throws IllegalStateException when the session's {@code spark_catalog} is another catalog (see
     *                               {@link LakeTables#configure})
     */
    public LakeTableEvents(SparkSession spark, LakeTables tables, TableIdentifier identifier) {
        this.spark = spark;
        this.tables = tables.qualified(spark.sparkContext().hadoopConfiguration());
        this.identifier = identifier;
        this.tables.configure(spark);
    }

    @Override
    public LabelledEvents.TableRows read(EventSchema schema, Optional<Instant> since) {
        if (catalog == null) {
            catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        }
        Table table = tables.ensureEventsTable(catalog, identifier, schema);
        Snapshot current = table.currentSnapshot();
        if (current == null) {
            LOG.info("lake table {} has no snapshot yet", LakeTables.sqlName(identifier));
            return new LabelledEvents.TableRows(spark.createDataFrame(List.of(), LakeTable.sparkSchema(schema)),
                    OptionalLong.empty());
        }
        Dataset<Row> rows = spark.read().format("iceberg")
                .option(SparkReadOptions.VERSION_AS_OF, current.snapshotId())
                .load(LakeTables.SPARK_CATALOG + "." + LakeTables.sqlName(identifier));
        if (since.isPresent()) {
            rows = rows.filter(fromHourOf(since.get()))
                    .filter(col(schema.eventTimeField()).geq(lit(Timestamp.from(since.get()))));
        }
        return new LabelledEvents.TableRows(rows, OptionalLong.of(current.snapshotId()));
    }

    /** Rows in the hour of {@code since} or later, on the partition columns alone. */
    static Column fromHourOf(Instant since) {
        LakePartition first = LakePartition.of(since);
        Column date = col(LakeLayout.EVENT_DATE);
        return date.gt(lit(first.eventDate()))
                .or(date.equalTo(lit(first.eventDate())).and(col(LakeLayout.EVENT_HOUR).geq(lit(first.eventHour()))));
    }

    @Override
    public String describe() {
        return "Iceberg table " + LakeTables.sqlName(identifier) + " (" + tables.kind() + " catalog, lake "
                + tables.warehouse() + ")";
    }
}
