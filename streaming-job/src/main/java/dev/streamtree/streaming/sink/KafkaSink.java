package dev.streamtree.streaming.sink;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** Batch writes of key/value(/headers) rows to a topic; a failure fails the micro-batch (and the query). */
public final class KafkaSink {

    private KafkaSink() {
    }

    public static void write(Dataset<Row> records, KafkaSettings kafka, String topic) {
        records.write().format("kafka")
                .options(KafkaSource.clientOptions(kafka))
                .option("topic", topic)
                .save();
    }
}
