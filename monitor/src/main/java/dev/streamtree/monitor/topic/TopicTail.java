package dev.streamtree.monitor.topic;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Reads topics from their beginning without a consumer group (nothing is committed): what {@code streamtree monitor}
 * and {@code models list} use to show the monitor's records. A topic that does not exist is read as empty.
 */
public final class TopicTail implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();

    /** Assigns every partition of {@code topics} and seeks to their beginning. */
    public TopicTail(KafkaSettings kafka, List<String> topics) {
        consumer = new KafkaConsumer<>(kafka.toProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(30));
        for (String topic : topics) {
            List<PartitionInfo> infos = existing.get(topic);
            if (infos == null) {
                LOG.info("topic {} does not exist (yet); read as empty", topic);
                continue;
            }
            infos.forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Hands every record up to the topics' current ends to {@code handler}, then returns. */
    public void readToEnd(Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
            consumer.poll(POLL).forEach(handler);
        }
    }

    /** One poll: hands what arrived within {@code timeout} to {@code handler}. */
    public void poll(Duration timeout, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
        if (partitions.isEmpty()) {
            try {
                Thread.sleep(timeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        consumer.poll(timeout).forEach(handler);
    }

    /**
     * The latest model-metrics record of each version on {@code topic} (by {@code at}), read to the topic's current
     * end. Records that are not model-metrics records are skipped.
     */
    public static Map<String, ModelMetrics> latestModelMetrics(KafkaSettings kafka, String topic) {
        Map<String, ModelMetrics> latest = new TreeMap<>();
        try (TopicTail tail = new TopicTail(kafka, List.of(topic))) {
            tail.readToEnd(record -> {
                try {
                    ModelMetrics m = ModelMetrics.parse(record.value());
                    latest.merge(m.modelVersion(), m, (a, b) -> b.at().isBefore(a.at()) ? a : b);
                } catch (IllegalArgumentException e) {
                    LOG.warn("skipping a record of {} at offset {}: {}", topic, record.offset(), e.getMessage());
                }
            });
        }
        return latest;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
