package dev.streamtree.ingest.send;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.ingest.source.SourceRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Validates records against the schema (events) or the label contract ({@link #forLabels labels}) and produces the
 * valid ones, keyed by event id, value unchanged.
 *
 * <p>Nothing is dropped silently: every record read ends up counted as sent, rejected (validation, with the
 * reason) or failed (the broker's error after the producer's own retries). The caller owns the producer and
 * its configuration ({@link ProducerSettings} gives the recommended one).
 */
public final class EventSender {

    /** Rejections kept in the report; the counts stay exact past it. */
    public static final int MAX_REPORTED_REJECTIONS = 1000;

    private final Producer<String, byte[]> producer;
    private final Function<byte[], Checked> check;
    private final String topic;
    private final Consumer<Rejection> onRejection;

    /** A record's key (its event id) when it passed the check, else why it did not. */
    private record Checked(String id, String reason) {
    }

    /**
     * @param onRejection called for every rejection and broker failure as it happens (e.g. to print it);
     *                    broker failures arrive on the producer's I/O thread
     */
    public EventSender(Producer<String, byte[]> producer, EventValidator validator, String topic,
                       Consumer<Rejection> onRejection) {
        this(producer, topic, onRejection, value -> {
            ValidationResult result = validator.validate(null, value);
            return result instanceof ValidationResult.Invalid invalid ? new Checked(null, invalid.reason())
                    : new Checked(((ValidationResult.Valid) result).event().id(), null);
        });
    }

    private EventSender(Producer<String, byte[]> producer, String topic, Consumer<Rejection> onRejection,
                        Function<byte[], Checked> check) {
        this.producer = producer;
        this.topic = topic;
        this.onRejection = onRejection;
        this.check = check;
    }

    /**
     * A sender of labels-topic records: each value must be a {@link LabelRecord} whose label is one of
     * {@code classes}; it is sent unchanged, keyed by its event id. A record without {@code labelled_at} gets the
     * Kafka record's timestamp as its time when it is read.
     */
    public static EventSender forLabels(Producer<String, byte[]> producer, LabelSpec classes, String topic,
                                        Consumer<Rejection> onRejection) {
        Instant placeholder = Instant.EPOCH; // only stands in for a missing labelled_at during the check
        return new EventSender(producer, topic, onRejection, value -> {
            try {
                return new Checked(LabelRecord.parse(null, value, classes, placeholder).eventId(), null);
            } catch (IllegalArgumentException e) {
                return new Checked(null, e.getMessage());
            }
        });
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
            Checked checked = check.apply(record.value());
            if (checked.reason() != null) {
                account(new Rejection(record.origin(), checked.reason()), rejections, progress.rejected);
                continue;
            }
            String id = checked.id();
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
