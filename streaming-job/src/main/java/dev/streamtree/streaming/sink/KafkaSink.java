package dev.streamtree.streaming.sink;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/** Batch writes of Kafka records; a failure fails the micro-batch (and the query). */
public final class KafkaSink {

    /**
     * Records bound for any topic: topic, key and value bytes, and headers (null for none), as Spark's Kafka sink
     * takes them. Every field is nullable, as the sink's header type requires.
     */
    public static final StructType RECORD_SCHEMA = DataTypes.createStructType(List.of(
            DataTypes.createStructField("topic", DataTypes.StringType, true),
            DataTypes.createStructField("key", DataTypes.BinaryType, true),
            DataTypes.createStructField("value", DataTypes.BinaryType, true),
            DataTypes.createStructField("headers", DataTypes.createArrayType(DataTypes.createStructType(List.of(
                    DataTypes.createStructField("key", DataTypes.StringType, true),
                    DataTypes.createStructField("value", DataTypes.BinaryType, true))), true), true)));

    private KafkaSink() {
    }

    /** The sink that writes a batch's records to these brokers. */
    public static RecordSink to(KafkaSettings kafka) {
        return records -> write(records, kafka);
    }

    /** Writes {@link #RECORD_SCHEMA} rows, each to the topic it names. */
    public static void write(Dataset<Row> records, KafkaSettings kafka) {
        records.write().format("kafka")
                .options(KafkaSource.clientOptions(kafka))
                .save();
    }
}
