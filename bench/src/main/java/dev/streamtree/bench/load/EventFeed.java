package dev.streamtree.bench.load;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.ingest.generate.RatePacer;
import dev.streamtree.ingest.send.ProducerSettings;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Agrawal events (function 1, 5% perturbation) sent with streamtree's own producer settings
 * ({@link ProducerSettings}): either generated up front and sent as fast as Kafka takes them, or paced.
 * Ids are {@code <prefix>-<n>}, n counting from 0, so a reader can tell which ones it has seen.
 */
public final class EventFeed {

    public static final double PERTURBATION = 0.05;

    private EventFeed() {
    }

    /** Events generated up front. */
    public record Batch(String[] ids, byte[][] values) {

        public int size() {
            return ids.length;
        }
    }

    public static Batch generate(String prefix, int count, long seed) {
        AgrawalGenerator generator = new AgrawalGenerator(seed, DriftPlan.none(1), PERTURBATION, prefix, Clock.systemUTC());
        String[] ids = new String[count];
        byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++) {
            AgrawalGenerator.Event e = generator.next();
            ids[i] = e.id();
            values[i] = e.json();
        }
        return new Batch(ids, values);
    }

    /**
     * Sends every event and waits for every acknowledgement.
     *
     * @return the elapsed time from the first send to the last acknowledgement
     * @throws IllegalStateException when any send failed
     */
    public static Duration send(KafkaSettings kafka, String topic, Batch batch) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (Producer<String, byte[]> producer = ProducerSettings.create(kafka)) {
            ProducerSettings.requireTopic(kafka, producer, topic);
            long start = System.nanoTime();
            for (int i = 0; i < batch.size(); i++) {
                producer.send(new ProducerRecord<>(topic, batch.ids()[i], batch.values()[i]), (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            if (failure.get() != null) {
                throw new IllegalStateException("sending to " + topic + " failed: " + failure.get().getMessage(), failure.get());
            }
            return elapsed;
        }
    }

    /** Sends generated events at a steady rate on its own thread until {@link #close()} or the duration ends. */
    public static final class Paced implements AutoCloseable {

        private final Thread thread;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicReference<Exception> failure = new AtomicReference<>();
        private volatile boolean stopping;
        private volatile long startedAt;
        private volatile long endedAt;

        private Paced(KafkaSettings kafka, String topic, String prefix, int rate, Duration duration, long seed) {
            this.thread = new Thread(() -> run(kafka, topic, prefix, rate, duration, seed), "bench-paced-" + prefix);
            this.thread.setDaemon(true);
        }

        /** Starts sending {@code rate} events/s for {@code duration} (or until closed when null). */
        public static Paced start(KafkaSettings kafka, String topic, String prefix, int rate, Duration duration, long seed) {
            Paced paced = new Paced(kafka, topic, prefix, rate, duration, seed);
            paced.thread.start();
            return paced;
        }

        private void run(KafkaSettings kafka, String topic, String prefix, int rate, Duration duration, long seed) {
            AgrawalGenerator generator = new AgrawalGenerator(seed, DriftPlan.none(1), PERTURBATION, prefix, Clock.systemUTC());
            RatePacer pacer = new RatePacer(rate);
            try (Producer<String, byte[]> producer = ProducerSettings.create(kafka)) {
                ProducerSettings.requireTopic(kafka, producer, topic);
                startedAt = System.currentTimeMillis();
                long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
                while (!stopping && System.nanoTime() < end) {
                    pacer.awaitNext();
                    AgrawalGenerator.Event e = generator.next();
                    producer.send(new ProducerRecord<>(topic, e.id(), e.json()), (meta, ex) -> {
                        if (ex != null) {
                            failure.compareAndSet(null, ex);
                        }
                    });
                    sent.incrementAndGet();
                }
                producer.flush();
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            } finally {
                endedAt = System.currentTimeMillis();
            }
        }

        /** Waits for the producer to finish (its duration ended or it was closed). */
        public void await() throws InterruptedException {
            thread.join();
            if (failure.get() != null) {
                throw new IllegalStateException("paced producer failed: " + failure.get().getMessage(), failure.get());
            }
        }

        public long sent() {
            return sent.get();
        }

        /** Events per second actually sent, over the producer's run time. */
        public double achievedRate() {
            long end = endedAt == 0 ? System.currentTimeMillis() : endedAt;
            return sent.get() * 1000.0 / Math.max(end - startedAt, 1);
        }

        public long startedAt() {
            return startedAt;
        }

        @Override
        public void close() throws InterruptedException {
            stopping = true;
            await();
        }
    }
}
