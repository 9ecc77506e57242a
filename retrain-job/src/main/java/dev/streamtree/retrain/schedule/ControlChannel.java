package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlCodec;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Kafka clients for the control topic: a producer for requests and statuses, consumers for reading them. */
public final class ControlChannel implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ControlChannel.class);

    private final KafkaSettings kafka;
    private final String topic;
    private final KafkaProducer<String, byte[]> producer;

    public ControlChannel(KafkaSettings kafka, String topic) {
        this.kafka = kafka;
        this.topic = topic;
        Properties props = kafka.toProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "20000");
        this.producer = new KafkaProducer<>(props);
    }

    public String topic() {
        return topic;
    }

    /**
     * Publishes a message keyed by its request id and waits for the broker's acknowledgement.
     *
     * @throws IllegalStateException when the broker does not acknowledge within 30 s
     */
    public void publish(ControlMessage message) {
        try {
            producer.send(new ProducerRecord<>(topic, message.requestId(), ControlCodec.encode(message))).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot publish to control topic " + topic + " at " + kafka.bootstrapServers()
                    + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * A consumer in {@code groupId} (not yet subscribed) that starts at the latest offset the first time the group
     * is seen.
     */
    public KafkaConsumer<String, byte[]> groupConsumer(String groupId) {
        Properties props = consumerProperties();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new KafkaConsumer<>(props);
    }

    /**
     * A group-less consumer positioned at the current end of every partition, so it sees only messages
     * published after this call returns.
     */
    public KafkaConsumer<String, byte[]> tailConsumer(Duration timeout) {
        Properties props = consumerProperties();
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        if (partitions.isEmpty()) {
            consumer.close();
            throw new IllegalStateException("control topic " + topic + " does not exist at " + kafka.bootstrapServers());
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, timeout)); // resolve the lazy seek now
        return consumer;
    }

    /** Decodes a record, logging and skipping values that are not control messages. */
    public static java.util.Optional<ControlMessage> decode(ConsumerRecord<String, byte[]> record) {
        try {
            return ControlCodec.decode(record.value());
        } catch (IllegalArgumentException e) {
            LOG.warn("skipping unreadable control message at {}-{}@{}: {} (value {})", record.topic(), record.partition(),
                    record.offset(), e.getMessage(), preview(record.value()));
            return java.util.Optional.empty();
        }
    }

    private static String preview(byte[] value) {
        if (value == null) {
            return "null";
        }
        String text = new String(value, StandardCharsets.UTF_8);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private Properties consumerProperties() {
        Properties props = kafka.toProperties();
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return props;
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
