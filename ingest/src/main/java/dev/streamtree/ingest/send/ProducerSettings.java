package dev.streamtree.ingest.send;

import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Properties;

/**
 * The producer configuration streamtree uses for events: idempotent, acks=all (no loss, no duplicates from
 * retries), lz4 compression, small linger for batching. Client properties from {@link KafkaSettings}
 * (security) are applied first; these reliability settings win over them.
 */
public final class ProducerSettings {

    private ProducerSettings() {
    }

    public static Properties properties(KafkaSettings kafka) {
        Properties p = kafka.toProperties();
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        p.putIfAbsent(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamtree-ingest");
        return p;
    }

    public static Producer<String, byte[]> create(KafkaSettings kafka) {
        return new KafkaProducer<>(properties(kafka), new StringSerializer(), new ByteArraySerializer());
    }
}
