package dev.streamtree.bench.spike;

import dev.streamtree.common.catalog.LakeLayout;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.lake.catalog.LocalSparkCatalog;
import dev.streamtree.lake.table.LakeBatch;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeCommit;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeStaging;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;

import java.time.Clock;

/**
 * The current layout, driven the way {@code MicroBatchProcessor} drives it: {@link LakeBatchWriter#begin} on the
 * driver, one Spark job whose tasks write their rows with {@link LakeFileWriter} into the batch's staging directory,
 * then {@link LakeBatchWriter#commit} (renames into the hour partitions, commit marker) and the catalog's
 * {@code addPartitions}.
 */
final class HiveLayoutSpike {

    private final SparkSession spark;
    private final EventSchema schema;
    private final LakeBatchWriter writer;
    private final LocalSparkCatalog catalog;
    private final CollectionAccumulator<String> staged;

    HiveLayoutSpike(SparkSession spark, EventSchema schema, String location, String database, String writerId) {
        this.spark = spark;
        this.schema = schema;
        this.writer = new LakeBatchWriter(location, writerId, spark.sparkContext(), Clock.systemUTC(), schema);
        this.catalog = new LocalSparkCatalog(spark, database, "events");
        this.catalog.ensureTable(schema, writer.location());
        this.staged = spark.sparkContext().collectionAccumulator("spike staged files");
    }

    /** Writes one batch; returns the driver's begin + commit + catalog time and the tasks' time. */
    BatchTiming write(Dataset<Row> rows, long batchId) {
        long t0 = System.nanoTime();
        LakeBatch batch = writer.begin(batchId);
        long t1 = System.nanoTime();
        staged.reset();
        LakeStaging staging = batch.staging();
        CollectionAccumulator<String> files = staged;
        int width = LakeLayout.dataColumns(schema).size();
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
        long t2 = System.nanoTime();
        LakeCommit commit = writer.commit(batch, files.value());
        catalog.addPartitions(commit.partitions());
        long t3 = System.nanoTime();
        return new BatchTiming(t3 - t0, (t1 - t0) + (t3 - t2), t2 - t1, commit.files());
    }

    /** The catalog table, for reads. */
    Dataset<Row> table() {
        return spark.table(catalog.tableName());
    }
}
