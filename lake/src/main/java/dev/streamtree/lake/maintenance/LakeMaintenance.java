package dev.streamtree.lake.maintenance;

import dev.streamtree.lake.table.LakeTables;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * One maintenance pass over the lake's events table: compaction, then retention. What the retrain scheduler runs
 * every {@code --lake-maintenance-interval} and what {@code bin/streamtree lake compact} and {@code lake retain} run
 * in parts. A pass is idempotent: a second pass right after the first finds nothing to do.
 *
 * @param compaction how to compact
 * @param retention  what to keep
 */
public record LakeMaintenance(LakeTables tables, TableIdentifier table, CompactionOptions compaction,
                              RetentionOptions retention) {

    public LakeMaintenance {
        Objects.requireNonNull(tables, "tables");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(compaction, "compaction");
        Objects.requireNonNull(retention, "retention");
    }

    /**
     * One maintenance per table of the lake: the events table, then {@code labels} and {@code predictions} of the same
     * database, with the default compaction and the retention of each table's {@code streamtree.retain} property.
     */
    public static List<LakeMaintenance> ofLake(LakeTables tables, String database, String eventsTable) {
        return java.util.stream.Stream.of(LakeTables.identifier(database, eventsTable),
                        dev.streamtree.lake.table.LabelsTable.identifier(database),
                        dev.streamtree.lake.table.PredictionsTable.identifier(database))
                .map(id -> new LakeMaintenance(tables, id, CompactionOptions.defaults(),
                        RetentionOptions.defaults(java.util.Optional.empty())))
                .toList();
    }

    /** One line on what a pass did, for the log. */
    public static String describe(TableIdentifier table, Result r) {
        return String.format(java.util.Locale.ROOT, "%s: %d of %d pending hours compacted (%d -> %d files), %d hours "
                        + "deleted by retention (%s), %d snapshots expired, %d orphans deleted", table,
                r.compaction().hoursRewritten(), r.compaction().hoursPending(), r.compaction().filesBefore(),
                r.compaction().filesAfter(), r.retention().deletedPartitions(),
                r.retention().retained().map(d -> "retain " + dev.streamtree.common.config.Durations.format(d))
                        .orElse("no retention set"), r.retention().expiredSnapshots(), r.retention().deletedOrphans());
    }

    /** What one pass did. */
    public record Result(LakeCompaction.Result compaction, LakeRetention.Result retention) {
    }

    /**
     * Runs a pass in {@code spark} (any session: the actions load the table through the Iceberg catalog, not through
     * Spark's).
     *
     * @throws dev.streamtree.common.catalog.CatalogException when the table cannot be loaded (caused by Iceberg's
     *                                                         NoSuchTableException when it does not exist yet)
     */
    public Result run(SparkSession spark, Clock clock) {
        Table loaded = tables.load(tables.catalog(spark.sparkContext().hadoopConfiguration()), table);
        LakeCompaction.Result compacted = new LakeCompaction(spark, clock).compact(loaded, compaction);
        LakeRetention.Result retained = new LakeRetention(spark, clock)
                .retain(loaded, LakeRetention.journalLocation(tables, table), retention);
        return new Result(compacted, retained);
    }
}
