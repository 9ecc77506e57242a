package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.util.CollectionAccumulator;

/**
 * Test fixture: writes a batch of ready lake rows through a {@link LakeBatchWriter} in one Spark job of its own,
 * the way the streaming job's batch does it inside the job that reads Kafka: {@link LakeBatchWriter#begin}, the
 * rows through {@link LakeFileWriter} in their tasks, {@link LakeBatchWriter#commit}.
 */
public final class LakeBatches {

    private LakeBatches() {
    }

    /**
     * Writes {@code rows} (the {@link LakeTable#sparkSchema} columns, partition columns last) as batch
     * {@code batchId}; a batch the writer already committed is left as it is and its commit returned.
     */
    public static LakeCommit write(LakeBatchWriter writer, Dataset<Row> rows, long batchId) {
        LakeBatch batch = writer.begin(batchId);
        if (batch.alreadyCommitted()) {
            return batch.committed();
        }
        CollectionAccumulator<String> files = rows.sparkSession().sparkContext().collectionAccumulator("lake files");
        LakeStaging staging = batch.staging();
        int width = rows.schema().size() - LakeLayout.PARTITION_COLUMNS.size();
        rows.foreachPartition((ForeachPartitionFunction<Row>) partition -> {
            LakeFileWriter lake = LakeFileWriter.forCurrentTask(staging);
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
        return writer.commit(batch, files.value());
    }
}
