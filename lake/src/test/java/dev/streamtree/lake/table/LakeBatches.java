package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import org.apache.iceberg.DataFile;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Test fixture: writes a batch of ready lake rows through a {@link LakeBatchWriter} in one Spark job of its own,
 * the way the streaming job's batch does it inside the job that reads Kafka: {@link LakeBatchWriter#begin}, the
 * rows through {@link LakeFileWriter} in their tasks, {@link LakeBatchWriter#finish} (the journal entry). The table
 * commit is the committer's: call {@link #writeAndCommit} to see the rows in the table at once.
 */
public final class LakeBatches {

    private LakeBatches() {
    }

    /**
     * Writes {@code rows} (the {@link LakeTable#sparkSchema} columns, partition columns last) as batch
     * {@code batchId} and journals it; a batch that already landed is left as it is.
     */
    public static LakeCommit write(LakeBatchWriter writer, Dataset<Row> rows, long batchId) {
        LakeBatch batch = writer.begin(batchId);
        if (batch.alreadyLanded()) {
            return batch.landed();
        }
        CollectionAccumulator<DataFile> files = rows.sparkSession().sparkContext().collectionAccumulator("lake files");
        LakeTarget target = batch.target();
        int width = rows.schema().size() - LakeLayout.PARTITION_COLUMNS.size();
        rows.foreachPartition((ForeachPartitionFunction<Row>) partition -> {
            LakeFileWriter lake = LakeFileWriter.forCurrentTask(target);
            while (partition.hasNext()) {
                Row row = partition.next();
                Object[] values = new Object[width];
                for (int i = 0; i < width; i++) {
                    values[i] = row.get(i);
                }
                lake.write(new LakePartition(row.getString(width), row.getInt(width + 1)), values);
            }
            lake.finish().forEach(files::add);
        });
        return writer.finish(batch, files.value());
    }

    /** {@link #write}, then commits everything the writer journaled. */
    public static LakeCommit writeAndCommit(LakeBatchWriter writer, Dataset<Row> rows, long batchId) {
        LakeCommit commit = write(writer, rows, batchId);
        writer.committer().commitPending();
        return commit;
    }
}
