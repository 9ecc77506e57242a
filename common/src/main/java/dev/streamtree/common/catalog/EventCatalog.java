package dev.streamtree.common.catalog;

import dev.streamtree.common.schema.EventSchema;

import java.util.List;

/**
 * The table catalog that makes the Parquet lake readable by name ({@code streamtree.events}): Spark's own
 * session catalog locally, AWS Glue in production.
 *
 * <p>Writers call {@link #ensureTable} once at start-up and {@link #addPartitions} after each batch of
 * files lands; readers call {@link #ensureTable} and then read {@link #tableName()} through their engine.
 *
 * <p>Failures: both methods throw {@link CatalogException} when the catalog cannot be reached or refuses the
 * request. Both are idempotent, so a failed call can be retried as a whole; a table or partition that
 * already exists is success, not an error.
 */
public interface EventCatalog {

    /** The qualified table name readers use, e.g. {@code streamtree.events}. */
    String tableName();

    /**
     * Creates the database and the table (columns from {@code schema}, partitioned by {@link LakeLayout#PARTITION_COLUMNS},
     * Parquet files under {@code location}) when missing. Implementations that cannot see partitions written
     * by other processes (the local one) also register the partitions already present under the location.
     */
    void ensureTable(EventSchema schema, String location);

    /** Registers partitions of the table; partitions already registered are left as they are. */
    void addPartitions(List<LakePartition> partitions);
}
