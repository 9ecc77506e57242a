package dev.streamtree.streaming.sink;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.List;

/**
 * Writes of Kafka records; a failure fails the micro-batch (and the query). The scoring pass's tasks send theirs with
 * their own producer ({@link #sender}); the landing queries' dead letters go through Spark's Kafka sink ({@link #to}).
 */
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

    /**
     * The sender of a micro-batch task's records to these brokers: they go out through this JVM's producer of
     * {@code owner} ({@link TaskProducers}); once the last is handed over the producer is flushed, and the first
     * failed send fails the task, naming its topic and cause. Measured reason for not using Spark's Kafka sink on the
     * scoring pass: planning its write was 10-17 ms of each batch before its first task started (2026-12-05 01:20 UTC,
     * the swap part), and its two row projections were per-record work the pass does not need.
     *
     * @param owner the job's id ({@link TaskProducers#close} closes its producers when it stops)
     */
    public static RecordSender sender(String owner, KafkaSettings kafka) {
        return records -> send(records, TaskProducers.of(owner, kafka));
    }

    /** Sends every record with {@code producer}, then flushes it; throws the first failed send's error. */
    static void send(Iterator<ProducerRecord<byte[], byte[]>> records, Producer<byte[], byte[]> producer) {
        FirstFailure failure = new FirstFailure();
        while (records.hasNext()) {
            failure.check();
            producer.send(records.next(), failure);
        }
        producer.flush();
        failure.check();
    }

    /** The first failed send of a task's records. */
    private static final class FirstFailure implements Callback {

        private volatile RuntimeException first;

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null && first == null) {
                String topic = metadata == null ? "?" : metadata.topic();
                first = new IllegalStateException("sending a record to Kafka topic " + topic + " failed: "
                        + exception.getMessage(), exception);
            }
        }

        void check() {
            RuntimeException failed = first;
            if (failed != null) {
                throw failed;
            }
        }
    }

    /** The sink that writes a batch's records to these brokers with Spark's Kafka sink. */
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
