package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.config.Durations;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.RetrainOutcome;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs retrains on a timer and on requests from the control topic, one at a time.
 *
 * <p>Threads: a listener consumes the control topic (consumer group {@link #DEFAULT_GROUP}, so requests sent
 * while the scheduler was down are served after a restart) and a timer adds a request every {@code every};
 * both only put requests into a {@link RequestQueue}. A single worker thread takes all pending requests,
 * publishes {@code started} for each, runs one retrain for all of them and publishes {@code promoted},
 * {@code kept} or {@code failed} for each. So two retrains never overlap, and requests that pile up during a
 * retrain are served by one more retrain, not by one each.
 *
 * <p>Failures: a failed retrain is published as {@code failed} with its message and the scheduler carries on;
 * a status that cannot be published (broker down) is logged. When Kafka cannot be reached, the listener logs
 * each failed attempt with its count and retries (back-off 1 s, growing to 30 s); the timer is independent of
 * Kafka and keeps scheduling retrains, which read the lake, not Kafka. {@link #close()} stops the timer and listener, lets a running
 * retrain finish, then stops the worker.
 */
public final class RetrainScheduler implements AutoCloseable {

    public static final String DEFAULT_GROUP = "streamtree-retrain-scheduler";

    private static final Logger LOG = LoggerFactory.getLogger(RetrainScheduler.class);
    private static final Duration LISTENER_BACKOFF = Duration.ofSeconds(1);
    private static final int MAX_BACKOFF_STEPS = 30;

    private final RetrainRunner runner;
    private final ControlChannel channel;
    private final Duration every;
    private final String groupId;
    private final Clock clock;
    private final RequestQueue queue = new RequestQueue();
    private final CountDownLatch listening = new CountDownLatch(1);
    private final AtomicInteger runs = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "retrain-timer"));
    private final Thread listener;
    private final Thread worker;
    private volatile boolean closed;
    private volatile boolean busy;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Observer observer = Observer.NONE;

    /** Sees each finished run, on the worker thread, before its final statuses are published. Must not throw. */
    @FunctionalInterface
    public interface Observer {

        Observer NONE = (outcome, took) -> {
        };

        /** @param outcome {@code PROMOTED}, {@code KEPT} or {@code FAILED} */
        void runFinished(Status outcome, Duration took);
    }

    /**
     * @param every   timer period, or null for on-demand only
     * @param groupId consumer group of the control-topic listener
     */
    public RetrainScheduler(RetrainRunner runner, ControlChannel channel, Duration every, String groupId, Clock clock) {
        if (every != null && (every.isNegative() || every.isZero())) {
            throw new IllegalArgumentException("--every must be positive, got " + Durations.format(every));
        }
        this.runner = runner;
        this.channel = channel;
        this.every = every;
        this.groupId = groupId;
        this.clock = clock;
        this.listener = daemon(this::listen, "retrain-control-listener");
        this.worker = new Thread(this::work, "retrain-worker");
    }

    /** A scheduler running {@code job}, forced when any request in a batch asks for it. */
    public static RetrainScheduler forJob(RetrainJob job, ControlChannel channel, Duration every) {
        RetrainRunner runner = batch -> (batch.forced() ? job.with(job.config().forced()) : job).run();
        return new RetrainScheduler(runner, channel, every, DEFAULT_GROUP, Clock.systemUTC());
    }

    /** Passes every finished run to {@code runs} (the scheduler's metrics); call before {@link #start()}. */
    public RetrainScheduler observedBy(Observer runs) {
        this.observer = runs;
        return this;
    }

    public RetrainScheduler start() {
        listener.start();
        worker.start();
        if (every != null) {
            timer.scheduleAtFixedRate(() -> queue.offer(new RetrainRequest("timer-" + UUID.randomUUID(), clock.instant(), false, "timer")),
                    every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.info("retrain scheduler started: every {}, listening on {}", every == null ? "(on demand only)" : Durations.format(every),
                channel.topic());
        return this;
    }

    /** Waits until the listener owns the control topic's partitions, so a request published now is seen. */
    public boolean awaitListening(Duration timeout) throws InterruptedException {
        return listening.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues a request directly (as the timer does). */
    public void request(RetrainRequest request) {
        queue.offer(request);
    }

    /** Retrains finished so far (succeeded or failed); a run is counted before its final statuses are published. */
    public int completedRuns() {
        return runs.get();
    }

    private void listen() {
        try (KafkaConsumer<String, byte[]> c = channel.groupConsumer(groupId)) {
            consumer = c;
            c.subscribe(List.of(channel.topic()), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    partitions.forEach(c::position); // resolve "latest" now, before anyone publishes
                    listening.countDown();
                }
            });
            int failures = 0;
            while (!closed) {
                try {
                    for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                        Optional<ControlMessage> message = ControlChannel.decode(record);
                        if (message.isPresent() && message.get() instanceof RetrainRequest request) {
                            LOG.info("retrain request {} from '{}' (force={})", request.requestId(), request.requestedBy(), request.force());
                            queue.offer(request);
                        }
                    }
                    c.commitSync();
                    if (failures > 0) {
                        LOG.info("control listener on {} recovered after {} failed attempt(s)", channel.topic(), failures);
                        failures = 0;
                    }
                } catch (WakeupException | InterruptException e) {
                    throw e;
                } catch (KafkaException e) {
                    // Broker unreachable or restarting (a commit timing out, the group's member fenced meanwhile):
                    // the timer keeps scheduling retrains; requests published later are read once the broker
                    // answers, and offsets are committed only after requests are queued, so none is skipped.
                    failures++;
                    Duration backoff = LISTENER_BACKOFF.multipliedBy(Math.min(failures, MAX_BACKOFF_STEPS));
                    LOG.error("control listener on {} cannot reach Kafka (attempt {}): {}; retrying in {}", channel.topic(),
                            failures, e.getMessage(), Durations.format(backoff));
                    sleepQuietly(backoff);
                }
            }
        } catch (WakeupException e) {
            if (!closed) {
                LOG.error("control listener woken up unexpectedly", e);
            }
        } catch (InterruptException e) {
            if (!closed) {
                LOG.error("control listener on {} interrupted", channel.topic(), e);
            }
        } catch (RuntimeException e) {
            LOG.error("control listener on {} stopped: {}", channel.topic(), e.getMessage(), e);
        }
    }

    private void work() {
        while (!closed) {
            RequestQueue.Batch batch;
            try {
                batch = queue.takeAll();
            } catch (InterruptedException e) {
                return;
            }
            busy = true;
            int run = runs.get() + 1;
            try {
                String startDetail = "retrain run #" + run + " for " + batch.requests().size() + " request(s)"
                        + (batch.forced() ? ", forced" : "");
                batch.requestIds().forEach(id -> publish(new RetrainStatus(id, Status.STARTED, null, startDetail, clock.instant())));
                List<RetrainStatus> finals = finalStatuses(batch, run);
                // The run is recorded before its final statuses go out: whoever reads a final status and then asks
                // completedRuns() must see this run counted.
                runs.incrementAndGet();
                finals.forEach(this::publish);
            } finally {
                busy = false;
            }
        }
    }

    /** Runs one retrain for {@code batch} and returns the final status of each of its requests. */
    private List<RetrainStatus> finalStatuses(RequestQueue.Batch batch, int run) {
        Status status;
        String candidate;
        String detail;
        long start = System.nanoTime();
        try {
            RetrainOutcome outcome = runner.run(batch);
            status = outcome.promoted() ? Status.PROMOTED : Status.KEPT;
            candidate = outcome.candidate().toString();
            detail = "retrain run #" + run + ": " + outcome.reason();
            LOG.info("retrain run #{} {}:\n{}", run, status.wireName(), outcome.summary());
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark throws its checked SparkException from Scala code.
            LOG.error("retrain run #{} failed: {}", run, e.getMessage(), e);
            status = Status.FAILED;
            candidate = null;
            detail = "retrain run #" + run + " failed: " + e.getMessage();
        }
        observer.runFinished(status, Duration.ofNanos(System.nanoTime() - start));
        Instant at = clock.instant();
        List<RetrainStatus> finals = new ArrayList<>();
        for (String id : batch.requestIds()) {
            finals.add(new RetrainStatus(id, status, candidate, detail, at));
        }
        return finals;
    }

    private void publish(RetrainStatus status) {
        try {
            channel.publish(status);
        } catch (RuntimeException e) {
            LOG.error("cannot publish status {} for request {}: {}", status.status().wireName(), status.requestId(), e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            listener.join(10_000);
            if (!busy) {
                worker.interrupt();
            }
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
