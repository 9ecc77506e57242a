package dev.streamtree.streaming.source;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.parse.EventParsing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.DataStreamReader;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The events and labels topics as streaming DataFrames, and the Kafka client options shared with the sinks. */
public final class KafkaSource {

    private KafkaSource() {
    }

    /** Kafka client settings as Spark's {@code kafka.*} data source options. */
    public static Map<String, String> clientOptions(KafkaSettings kafka) {
        Map<String, String> options = new LinkedHashMap<>();
        kafka.clientProperties().forEach((k, v) -> options.put("kafka." + k, v));
        options.put("kafka.bootstrap.servers", kafka.bootstrapServers());
        return options;
    }

    /**
     * The raw records' columns a pass reads ({@link EventParsing#SOURCE_COLUMNS}: key, value, topic, partition,
     * offset), from a Kafka source's rows.
     */
    public static Dataset<Row> passColumns(Dataset<Row> kafkaRows) {
        return kafkaRows.select(EventParsing.SOURCE_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
    }

    /** Raw records of the events topic: key, value, topic, partition, offset, timestamp, ... */
    public static Dataset<Row> events(SparkSession spark, StreamingConfig config) {
        return topic(spark, config, config.topics().events());
    }

    /**
     * Raw records of the labels topic, read as the events topic is, but subscribed by pattern: a labels topic that does
     * not exist (yet) yields empty batches instead of failing the query, and is read once it is created.
     */
    public static Dataset<Row> labels(SparkSession spark, StreamingConfig config) {
        return topic(spark, config, "subscribePattern", Pattern.quote(config.topics().labels()));
    }

    /**
     * Raw records of the predictions topic with their headers (real-time mode's predictions landing query). A new
     * checkpoint starts at the first record published at or after {@code fromMillis}, or at the topic's end when there
     * is none yet; {@code --starting-offsets} names events-topic offsets and does not apply.
     */
    public static Dataset<Row> predictions(SparkSession spark, StreamingConfig config, long fromMillis) {
        DataStreamReader reader = spark.readStream().format("kafka")
                .options(clientOptions(config.kafka()))
                .option("subscribe", config.topics().predictions())
                .option("includeHeaders", "true")
                .option("startingTimestamp", Long.toString(fromMillis))
                .option("startingOffsetsByTimestampStrategy", "latest");
        if (config.maxOffsetsPerTrigger() > 0) {
            reader = reader.option("maxOffsetsPerTrigger", Long.toString(config.maxOffsetsPerTrigger()));
        }
        return reader.load();
    }

    private static Dataset<Row> topic(SparkSession spark, StreamingConfig config, String topic) {
        return topic(spark, config, "subscribe", topic);
    }

    private static Dataset<Row> topic(SparkSession spark, StreamingConfig config, String how, String topic) {
        DataStreamReader reader = spark.readStream().format("kafka")
                .options(clientOptions(config.kafka()))
                .option(how, topic)
                .option("startingOffsets", config.startingOffsets());
        if (config.maxOffsetsPerTrigger() > 0) {
            reader = reader.option("maxOffsetsPerTrigger", Long.toString(config.maxOffsetsPerTrigger()));
        }
        return reader.load();
    }
}
