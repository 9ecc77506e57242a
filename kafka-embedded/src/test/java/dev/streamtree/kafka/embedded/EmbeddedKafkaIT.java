package dev.streamtree.kafka.embedded;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedKafkaIT {

    @Test
    void roundTripsRecordsThroughARealBrokerOnTheRequestedPort() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.start(port)) {
            assertThat(kafka.bootstrapServers()).endsWith(":" + port);
            kafka.createTopics(2, List.of("roundtrip"));
            kafka.createTopics(2, List.of("roundtrip")); // idempotent

            try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 10; i++) {
                    producer.send(new ProducerRecord<>("roundtrip", "k" + i, "v" + i)).get();
                }
            }
            List<String> values = new ArrayList<>();
            try (var consumer = new KafkaConsumer<String, String>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "t", "auto.offset.reset", "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("roundtrip"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.size() < 10 && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
            }
            assertThat(values).containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
        }
    }

    @Test
    void keepsTopicsRecordsAndCommittedOffsetsAcrossABrokerRestartOnTheSameAddress() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String bootstrap = kafka.bootstrapServers();
            kafka.createTopics(2, List.of("restart"));
            produce(bootstrap, "restart", "before-0", "before-1", "before-2");
            assertThat(consume(bootstrap, "restart", "g-restart", 3)).containsExactlyInAnyOrder("before-0", "before-1", "before-2");

            kafka.stopBroker();
            try (Socket ignored = new Socket("localhost", port(bootstrap))) {
                throw new AssertionError("broker still accepts connections on " + bootstrap + " after stopBroker()");
            } catch (ConnectException expected) {
                // the outage clients see
            }
            kafka.startBroker();

            assertThat(kafka.bootstrapServers()).isEqualTo(bootstrap);
            produce(bootstrap, "restart", "after-0");
            // The group's offsets were committed before the restart, so it reads only the new record.
            assertThat(consume(bootstrap, "restart", "g-restart", 1)).containsExactly("after-0");
            assertThat(consume(bootstrap, "restart", "g-fresh", 4))
                    .containsExactlyInAnyOrder("before-0", "before-1", "before-2", "after-0");

            kafka.stopBroker();
            kafka.startBroker();
            assertThat(consume(bootstrap, "restart", "g-second", 4)).hasSize(4);
        }
    }

    private static int port(String bootstrap) {
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }

    private static void produce(String bootstrap, String topic, String... values) throws Exception {
        try (var producer = new KafkaProducer<String, String>(Map.of("bootstrap.servers", bootstrap, "acks", "all"),
                new StringSerializer(), new StringSerializer())) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, v, v)).get();
            }
        }
    }

    /** Reads until {@code expected} values arrived (or 30 s), commits, and returns what it read. */
    private static List<String> consume(String bootstrap, String topic, String group, int expected) {
        List<String> values = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(Map.of("bootstrap.servers", bootstrap,
                "group.id", group, "auto.offset.reset", "earliest", "enable.auto.commit", "false"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    values.add(r.value());
                }
            }
            // One more short poll: a record beyond the expected count would show up here.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
            consumer.commitSync();
        }
        return values;
    }
}
