package dev.streamtree.kafka.embedded;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Whichever broker {@link TestKafka} starts (a container where Docker runs, else embedded), it has {@link BrokerSettings}. */
class TestKafkaIT {

    @Test
    void theTestBrokerRunsWithTheSharedSettingsAndAcceptsATenMebibyteRecord() throws Exception {
        try (TestKafka kafka = TestKafka.start()) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                String brokerId = String.valueOf(admin.describeCluster().nodes().get().iterator().next().id());
                ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, brokerId);
                Config config = admin.describeConfigs(List.of(broker)).all().get().get(broker);
                BrokerSettings.properties().forEach((key, value) ->
                        assertThat(config.get(key).value()).as("%s on the %s broker", key, kafka.kind()).isEqualTo(value));
            }
            kafka.createTopics(1, List.of("large"));
            byte[] large = new byte[10 * 1024 * 1024];
            large[large.length - 1] = 7;
            try (var producer = new KafkaProducer<byte[], byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "max.request.size", String.valueOf(BrokerSettings.MESSAGE_MAX_BYTES)),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("large", large)).get();
            }
            List<byte[]> values = new ArrayList<>();
            try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers(),
                    "group.id", "large", "auto.offset.reset", "earliest"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of("large"));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (values.isEmpty() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                }
            }
            assertThat(values).as("the 10 MiB record read back").hasSize(1);
            assertThat(values.get(0)).hasSize(large.length).endsWith((byte) 7);
        }
    }
}
