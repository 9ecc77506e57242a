package dev.streamtree.lake.maintenance;

import dev.streamtree.lake.table.LakeTables;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.sql.SparkSession;

import java.time.Clock;
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

    /** What one pass did. */
    public record Result(LakeCompaction.Result compaction, LakeRetention.Result retention) {
    }

    /**
     * Runs a pass in {@code spark} (any session: the actions load the table through the Iceberg catalog, not through
     * Spark's).
     *
     * @throws org.apache.iceberg.exceptions.NoSuchTableException when the table does not exist yet
     */
    public Result run(SparkSession spark, Clock clock) {
        Table loaded = tables.load(tables.catalog(spark.sparkContext().hadoopConfiguration()), table);
        LakeCompaction.Result compacted = new LakeCompaction(spark, clock).compact(loaded, compaction);
        LakeRetention.Result retained = new LakeRetention(spark, clock)
                .retain(loaded, LakeRetention.journalLocation(tables, table), retention);
        return new Result(compacted, retained);
    }
}
