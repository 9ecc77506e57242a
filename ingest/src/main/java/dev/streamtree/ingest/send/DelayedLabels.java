package dev.streamtree.ingest.send;

import dev.streamtree.common.label.LabelRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends each event's label to the labels topic a fixed delay after the event: a {@link LabelRecord} keyed by event id,
 * {@code labelled_at} = when it is sent. {@link #close()} waits until every scheduled label has been sent (at most the
 * delay), so a generator that stops still delivers the labels of the events it produced.
 */
public final class DelayedLabels implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DelayedLabels.class);

    private final Producer<String, byte[]> producer;
    private final String topic;
    private final Duration delay;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "delayed-labels");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    /**
     * @param producer shared with the events sender (producers are thread-safe); the caller closes it after this
     * @param topic    the labels topic
     * @param delay    how long after its event each label is sent
     */
    public DelayedLabels(Producer<String, byte[]> producer, String topic, Duration delay, Clock clock) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("--label-delay must not be negative, got " + delay);
        }
        this.producer = producer;
        this.topic = topic;
        this.delay = delay;
        this.clock = clock;
    }

    /** Schedules the label of one event. */
    public void schedule(String eventId, String label) {
        timer.schedule(() -> {
            LabelRecord record = new LabelRecord(eventId, label, clock.instant());
            producer.send(new ProducerRecord<>(topic, eventId, record.toJson()), (metadata, e) -> {
                if (e == null) {
                    sent.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    LOG.warn("label of {} not sent: {}", eventId, e.toString());
                }
            });
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Labels the broker acknowledged. */
    public long sent() {
        return sent.get();
    }

    /** Labels the broker refused after the producer's retries. */
    public long failed() {
        return failed.get();
    }

    /** Sends the labels still scheduled when their time comes, then flushes. */
    @Override
    public void close() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(delay.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
            LOG.warn("{} labels still scheduled after waiting; dropped", timer.getQueue().size());
            timer.shutdownNow();
        }
        producer.flush();
    }
}
