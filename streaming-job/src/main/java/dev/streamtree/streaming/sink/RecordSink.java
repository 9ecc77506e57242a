package dev.streamtree.streaming.sink;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where a micro-batch's outgoing records go: rows of {@link KafkaSink#RECORD_SCHEMA}, each naming its topic
 * (predictions or dead letters). Writing them runs the batch's one Spark job, whose tasks also write the lake
 * files, so {@link #write} must consume every row. A failure must be thrown: it fails the batch, and the query
 * replays it from its checkpoint.
 *
 * <p>Production writes to Kafka ({@link KafkaSink#to}); a test may collect the rows instead.
 */
@FunctionalInterface
public interface RecordSink {

    void write(Dataset<Row> records);
}
