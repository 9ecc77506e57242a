/**
 * The lake table. {@code table}: its Spark schema and Parquet files, hour partitions, and the exactly-once batch
 * commit the streaming job writes through ({@link dev.streamtree.lake.table.LakeBatchWriter}); {@code catalog}: the
 * catalogs the table is registered in, Spark's session catalog and AWS Glue, opened from a job's
 * {@code --catalog} by {@link dev.streamtree.lake.catalog.Catalogs}. The model and its registry are in the
 * {@code model} module.
 */
package dev.streamtree.lake;
