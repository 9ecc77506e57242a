package dev.streamtree.streaming.sink;

import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kafka producers of this JVM that micro-batch tasks send their records with ({@link KafkaSink#sender}): one per
 * job and client settings, kept from batch to batch and shared by the tasks running at once (a {@link KafkaProducer}
 * is thread-safe), as Spark's Kafka sink keeps its own. A job closes its own when it stops ({@link #close}); on a
 * cluster, an executor's close with its JVM.
 */
public final class TaskProducers {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final ConcurrentHashMap<Key, KafkaProducer<byte[], byte[]>> OPEN = new ConcurrentHashMap<>();

    /** @param owner the job's id: two jobs in one JVM never share a producer, so one's stop leaves the other's */
    private record Key(String owner, KafkaSettings kafka) {
    }

    private TaskProducers() {
    }

    /** The producer of {@code owner} for these brokers, made at its first use in this JVM. */
    static KafkaProducer<byte[], byte[]> of(String owner, KafkaSettings kafka) {
        return OPEN.computeIfAbsent(new Key(owner, kafka), key -> new KafkaProducer<>(key.kafka().toProperties(),
                new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** Closes this JVM's producers of {@code owner}, after they send what they hold (at most 10 s each). */
    public static void close(String owner) {
        for (Key key : List.copyOf(OPEN.keySet())) {
            if (key.owner().equals(owner)) {
                KafkaProducer<byte[], byte[]> producer = OPEN.remove(key);
                if (producer != null) {
                    producer.close(CLOSE_TIMEOUT);
                }
            }
        }
    }
}
