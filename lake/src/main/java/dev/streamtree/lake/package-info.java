/**
 * The lake: Iceberg tables ({@code table}). {@link dev.streamtree.lake.table.LakeTables} says where the tables live
 * (a Hadoop catalog under {@code --lake} locally, AWS Glue with S3 in production) and how Spark reaches them by
 * {@code <database>.<table>}; the streaming job appends through {@link dev.streamtree.lake.table.LakeBatchWriter}
 * (task-written files, a journal entry per micro-batch, a committer thread). The model and its registry are in the
 * {@code model} module.
 */
package dev.streamtree.lake;
