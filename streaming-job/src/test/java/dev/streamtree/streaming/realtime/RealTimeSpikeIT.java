package dev.streamtree.streaming.realtime;

import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.streaming.KafkaRecords;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class RealTimeSpikeIT {

    @TempDir
    Path work;

    @Test
    void realTimeTriggerRunsKafkaToKafka() throws Exception {
        try (TestKafka kafka = TestKafka.start()) {
            kafka.createTopics(2, List.of("spike.in", "spike.out"));
            SparkSession spark = TestSpark.local("RealTimeSpikeIT", "local[4]");
            StructType out = new StructType().add("key", DataTypes.BinaryType).add("value", DataTypes.BinaryType);
            StreamingQuery query = spark.readStream().format("kafka")
                    .option("kafka.bootstrap.servers", kafka.bootstrapServers())
                    .option("subscribe", "spike.in").option("startingOffsets", "earliest").load()
                    .select("key", "value")
                    .mapPartitions((MapPartitionsFunction<Row, Row>) rows -> rows, Encoders.row(out))
                    .writeStream().format("kafka")
                    .option("kafka.bootstrap.servers", kafka.bootstrapServers())
                    .option("topic", "spike.out")
                    .option("checkpointLocation", work.resolve("cp").toString())
                    .outputMode(OutputMode.Update())
                    .trigger(Trigger.RealTime("5 seconds"))
                    .start();
            Properties props = new Properties();
            props.put("bootstrap.servers", kafka.bootstrapServers());
            props.put("key.serializer", StringSerializer.class.getName());
            props.put("value.serializer", StringSerializer.class.getName());
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>("spike.in", "k" + i, "v" + i));
                }
            }
            assertThat(KafkaRecords.atLeast(kafka.bootstrapServers(), "spike.out", 100)).hasSize(100);
            System.out.println("SPIKE progress: " + query.lastProgress());
            query.stop();
            spark.stop();
        }
    }
}
