package dev.streamtree.streaming.sink;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where a landing query's micro-batch sends its outgoing records (dead letters of the labels and predictions
 * landings, {@code LandingProcessor}): rows of {@link KafkaSink#RECORD_SCHEMA}, each naming
 * its topic. Writing them runs the batch's one Spark job, whose tasks also write the lake files, so {@link #write}
 * must consume every row. A failure must be thrown: it fails the batch, and the query replays it from its checkpoint.
 * (The scoring pass's tasks send theirs themselves: {@link RecordSender}.)
 *
 * <p>Production writes to Kafka with Spark's Kafka sink ({@link KafkaSink#to}).
 */
@FunctionalInterface
public interface RecordSink {

    void write(Dataset<Row> records);
}
