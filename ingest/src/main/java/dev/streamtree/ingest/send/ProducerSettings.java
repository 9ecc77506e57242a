package dev.streamtree.ingest.send;

import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The producer configuration streamtree uses for events: idempotent, acks=all (no loss, no duplicates from
 * retries), lz4 compression, small linger for batching. Outages: a broker unreachable for less than 2 minutes
 * ({@code delivery.timeout.ms} and {@code max.block.ms}, both 120 s) loses nothing; a record still undelivered after
 * that is reported as failed, never dropped silently. Raise both with {@code --kafka-properties} for longer outages. Client properties from {@link KafkaSettings}
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
        // A broker outage shorter than delivery.timeout.ms loses nothing: records wait in the buffer and are retried.
        // max.block.ms matches it, so a send that blocks on a full buffer or missing metadata gives up no sooner.
        p.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000");
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "120000");
        p.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 * 1024 * 1024));
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamtree-ingest");
        return p;
    }

    public static Producer<String, byte[]> create(KafkaSettings kafka) {
        return new KafkaProducer<>(properties(kafka), new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Fails fast, naming the topic, when it does not exist (streamtree never relies on auto-creation), and loads
     * the producer's metadata so the first record is not delayed by it (which would distort a paced rate).
     *
     * @throws IllegalArgumentException when the topic does not exist
     * @throws IllegalStateException    when the cluster cannot be reached within 30 s
     */
    public static void requireTopic(KafkaSettings kafka, Producer<String, byte[]> producer, String topic) {
        try (Admin admin = Admin.create(kafka.toProperties())) {
            admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new IllegalArgumentException("topic '" + topic + "' does not exist on " + kafka.bootstrapServers()
                        + " (create it, or run `bin/streamtree broker`, which creates the streamtree topics)");
            }
            throw new IllegalStateException("cannot describe topic '" + topic + "' on " + kafka.bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from Kafka at " + kafka.bootstrapServers() + " within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking topic " + topic, e);
        }
        producer.partitionsFor(topic);
    }
}
