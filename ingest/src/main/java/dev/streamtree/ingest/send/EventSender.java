package dev.streamtree.ingest.send;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.ingest.source.SourceRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.function.Consumer;

/**
 * Validates records against the schema and produces the valid ones, keyed by event id, value unchanged.
 *
 * <p>Nothing is dropped silently: every record read ends up counted as sent, rejected (validation, with the
 * reason) or failed (the broker's error after the producer's own retries). The caller owns the producer and
 * its configuration ({@link ProducerSettings} gives the recommended one).
 */
public final class EventSender {

    /** Rejections kept in the report; the counts stay exact past it. */
    public static final int MAX_REPORTED_REJECTIONS = 1000;

    private final Producer<String, byte[]> producer;
    private final EventValidator validator;
    private final String topic;
    private final Consumer<Rejection> onRejection;

    /**
     * @param onRejection called for every rejection and broker failure as it happens (e.g. to print it);
     *                    broker failures arrive on the producer's I/O thread
     */
    public EventSender(Producer<String, byte[]> producer, EventValidator validator, String topic,
                       Consumer<Rejection> onRejection) {
        this.producer = producer;
        this.validator = validator;
        this.topic = topic;
        this.onRejection = onRejection;
    }

    public SendReport send(Iterator<SourceRecord> records) {
        return send(records, new SendProgress());
    }

    /** Sends every record, then flushes; {@code progress} is updated as it goes. */
    public SendReport send(Iterator<SourceRecord> records, SendProgress progress) {
        long start = System.nanoTime();
        List<Rejection> rejections = Collections.synchronizedList(new ArrayList<>());
        while (records.hasNext()) {
            SourceRecord record = records.next();
            progress.read.incrementAndGet();
            if (record.problem() != null) {
                account(new Rejection(record.origin(), record.problem()), rejections, progress.rejected);
                continue;
            }
            ValidationResult result = validator.validate(null, record.value());
            if (result instanceof ValidationResult.Invalid invalid) {
                account(new Rejection(record.origin(), invalid.reason()), rejections, progress.rejected);
                continue;
            }
            String id = ((ValidationResult.Valid) result).event().id();
            try {
                send(record, id, progress, rejections);
            } catch (KafkaException e) {
                // Thrown before the record was queued (e.g. serialization, a closed or fenced producer).
                account(new Rejection(record.origin(), "producer refused event '" + id + "': " + e.getMessage()),
                        rejections, progress.failed);
            }
        }
        producer.flush();
        List<Rejection> reported;
        synchronized (rejections) {
            reported = List.copyOf(rejections);
        }
        return new SendReport(progress.read(), progress.sent(), progress.rejected(), progress.failed(), reported,
                Duration.ofNanos(System.nanoTime() - start));
    }

    private void send(SourceRecord record, String id, SendProgress progress, List<Rejection> rejections) {
        producer.send(new ProducerRecord<>(topic, id, record.value()), (metadata, error) -> {
            if (error == null) {
                progress.sent.incrementAndGet();
            } else {
                account(new Rejection(record.origin(), "broker refused event '" + id + "': "
                        + error.getClass().getSimpleName() + ": " + error.getMessage()), rejections, progress.failed);
            }
        });
    }

    private void account(Rejection rejection, List<Rejection> rejections, AtomicLong counter) {
        counter.incrementAndGet();
        if (rejections.size() < MAX_REPORTED_REJECTIONS) {
            rejections.add(rejection);
        }
        onRejection.accept(rejection);
    }
}
