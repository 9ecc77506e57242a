package dev.streamtree.streaming;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka records in tests. Reads what a streaming job wrote to a real broker: every partition of a topic from the
 * beginning, with a consumer that has no group and commits nothing, so a test can read the same topic again; each read
 * gives up after {@value #READ_SECONDS} s and returns what it has, leaving the count for the test to assert. And
 * builds the rows Spark's Kafka source would give, for tests that feed the parsing step directly.
 */
public final class KafkaRecords {

    private static final int READ_SECONDS = 30;

    private KafkaRecords() {
    }

    /** The records up to the topic's end offsets as of the call. */
    public static List<ConsumerRecord<byte[], byte[]>> toEnd(String servers, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumerFromBeginning(servers, topic)) {
            List<TopicPartition> partitions = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(READ_SECONDS).toNanos();
            while (System.nanoTime() < deadline && partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /**
     * Polls until at least {@code expected} records arrived, then once more for a second: anything beyond the expected
     * count is a duplicate the test must see.
     */
    public static List<ConsumerRecord<byte[], byte[]>> atLeast(String servers, String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumerFromBeginning(servers, topic)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(READ_SECONDS).toNanos();
            while (System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
                if (records.size() >= expected) {
                    consumer.poll(Duration.ofMillis(1000)).forEach(records::add);
                    break;
                }
            }
        }
        return records;
    }

    /** The UTF-8 value of the record's last header {@code name}; fails the test when the header is missing. */
    public static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        assertThat(header).as("header " + name).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    private static KafkaConsumer<byte[], byte[]> consumerFromBeginning(String servers, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", servers);
        props.put("key.deserializer", ByteArrayDeserializer.class.getName());
        props.put("value.deserializer", ByteArrayDeserializer.class.getName());
        props.put("enable.auto.commit", "false");
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props);
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return consumer;
        } catch (RuntimeException e) {
            consumer.close();
            throw e;
        }
    }

    /**
     * {@code (key, value, topic, partition, offset)} rows as the DataFrame Spark's Kafka source would give the job,
     * for feeding its parsing step without a broker.
     */
    public static Dataset<Row> sourceRows(SparkSession spark, List<Row> rows) {
        return spark.createDataFrame(rows, DataTypes.createStructType(List.of(
                DataTypes.createStructField("key", DataTypes.BinaryType, true),
                DataTypes.createStructField("value", DataTypes.BinaryType, true),
                DataTypes.createStructField("topic", DataTypes.StringType, true),
                DataTypes.createStructField("partition", DataTypes.IntegerType, true),
                DataTypes.createStructField("offset", DataTypes.LongType, true))));
    }
}
