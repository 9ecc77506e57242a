package dev.streamtree.streaming.sink;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.io.Serializable;
import java.util.Iterator;

/**
 * Where a micro-batch task's outgoing records go: Kafka records, each naming its topic (predictions or dead letters),
 * sent from the task that makes them. Taking them runs the pass, whose task also writes the lake files, so
 * {@link #send} must take every record. A failure must be thrown: it fails the task (and, after Spark's retries, the
 * batch, which the query replays from its checkpoint).
 *
 * <p>Production sends with the task's Kafka producer ({@link KafkaSink#sender}); real-time mode's lake query drops
 * them ({@link #DISCARD}), since its scoring query sends every prediction and dead letter.
 */
@FunctionalInterface
public interface RecordSender extends Serializable {

    /** Takes every record and sends none. */
    RecordSender DISCARD = records -> records.forEachRemaining(record -> { });

    void send(Iterator<ProducerRecord<byte[], byte[]>> records);
}
