package dev.streamtree.bench.load;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.Prediction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/** Follows the predictions topic from its beginning in real time on its own thread, into a {@link PredictionLog}. */
public final class PredictionReader implements AutoCloseable {

    private final Thread thread;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean stopping;

    private PredictionReader(KafkaSettings kafka, String topic, PredictionLog log) {
        this.thread = new Thread(() -> run(kafka, topic, log), "bench-prediction-reader");
        this.thread.setDaemon(true);
    }

    public static PredictionReader start(KafkaSettings kafka, String topic, PredictionLog log) {
        PredictionReader reader = new PredictionReader(kafka, topic, log);
        reader.thread.start();
        return reader;
    }

    private void run(KafkaSettings kafka, String topic, PredictionLog log) {
        Properties props = kafka.toProperties();
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        try (var consumer = new KafkaConsumer<byte[], byte[]>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!stopping) {
                var records = consumer.poll(Duration.ofMillis(20));
                long now = System.currentTimeMillis();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    Prediction p = Prediction.parse(r.value());
                    log.record(p.eventId(), p.modelVersion(), p.batchId(), eventMillis(p.eventTime()), now);
                }
            }
        } catch (RuntimeException e) {
            failure.set(e);
        }
    }

    private static long eventMillis(Instant eventTime) {
        return eventTime.toEpochMilli();
    }

    /** Throws what stopped the reader, if anything did. */
    public void check() {
        if (failure.get() != null) {
            throw new IllegalStateException("prediction reader failed: " + failure.get().getMessage(), failure.get());
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.join(10_000);
        check();
    }
}
