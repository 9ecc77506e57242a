package dev.streamtree.streaming.sink;

import dev.streamtree.common.kafka.KafkaSettings;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A task's sending of its records, on Kafka's {@link MockProducer} (a pure unit test; the ITs send to a broker). */
class KafkaSinkTest {

    @Test
    void everyRecordIsSentInOrderAndFlushed() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());
        List<ProducerRecord<byte[], byte[]>> records = List.of(record("predictions", "a"), record("dlq", "b"),
                record("predictions", "c"));

        KafkaSink.send(records.iterator(), producer);

        assertThat(producer.history()).containsExactlyElementsOf(records);
        assertThat(producer.flushed()).as("flushed: every send completed before the task ends").isTrue();
    }

    @Test
    void aFailedSendFailsTheTaskBeforeTheNextRecordNamingTopicAndCause() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());

        assertThatThrownBy(() -> KafkaSink.send(failingAt(producer, 1, 3, "predictions", "broker refused it"), producer))
                .hasMessage("sending a record to Kafka topic predictions failed: broker refused it")
                .hasCauseInstanceOf(IllegalStateException.class);
        assertThat(producer.history()).as("nothing sent after the failure was seen").hasSize(1);
    }

    @Test
    void aSendThatFailsAfterTheLastRecordFailsTheTaskAtTheFlush() {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, new ByteArraySerializer(), new ByteArraySerializer());

        assertThatThrownBy(() -> KafkaSink.send(failingAt(producer, 2, 2, "dlq", "record too large"), producer))
                .hasMessage("sending a record to Kafka topic dlq failed: record too large");
        assertThat(producer.history()).hasSize(2);
    }

    @Test
    void aJobsTasksShareOneProducerPerSettingsAndItsStopClosesOnlyItsOwn() {
        KafkaSettings kafka = KafkaSettings.of("localhost:1");
        try {
            var a = TaskProducers.of("job-a", kafka);
            var b = TaskProducers.of("job-b", kafka);
            assertThat(TaskProducers.of("job-a", kafka)).isSameAs(a);
            assertThat(b).isNotSameAs(a);

            TaskProducers.close("job-a");

            assertThat(TaskProducers.of("job-a", kafka)).as("closed and let go: a new one").isNotSameAs(a);
            assertThat(TaskProducers.of("job-b", kafka)).as("the other job's kept").isSameAs(b);
        } finally {
            TaskProducers.close("job-a");
            TaskProducers.close("job-b");
        }
    }

    /**
     * {@code count} records to {@code topic}; once {@code failAt} have been taken, the producer fails the oldest send
     * it has not completed with {@code message}.
     */
    private static Iterator<ProducerRecord<byte[], byte[]>> failingAt(MockProducer<byte[], byte[]> producer, int failAt,
                                                                      int count, String topic, String message) {
        return new Iterator<>() {
            private int taken;

            @Override
            public boolean hasNext() {
                if (taken == failAt) {
                    producer.errorNext(new IllegalStateException(message));
                }
                return taken < count;
            }

            @Override
            public ProducerRecord<byte[], byte[]> next() {
                return record(topic, "r" + taken++);
            }
        };
    }

    private static ProducerRecord<byte[], byte[]> record(String topic, String key) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), key.getBytes(StandardCharsets.UTF_8));
    }
}
