package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.control.ControlMessage.DriftDetected;
import dev.streamtree.common.control.ControlMessage.Reason;
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
import java.util.Map;
import java.util.Collection;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

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
 *
 * <p>Drift and bootstrap ({@link TriggerPolicy}): a {@code drift-detected} record on the control topic that the
 * {@link DriftCooldown} accepts becomes a retrain request (reason {@code drift}, id = the detection id) whose rows
 * start at the change point; a poller counts the lake's labelled rows at or after it every
 * {@link TriggerPolicy#pollEvery()} and queues the request once {@link TriggerPolicy#driftMinRows()} exist, or
 * publishes {@code failed} explaining why after {@link TriggerPolicy#driftWait()}. Suppressed detections are logged
 * and counted ({@link #suppressedDetections()}). Once a drift retrain is promoted its change point becomes a floor:
 * no later retrain (timer, request) reads rows before it, so a long window never trains across the change again.
 * With no serving model at start, a bootstrap request is queued as soon as {@link TriggerPolicy#bootstrapMinRows()}
 * labelled rows exist (dropped if a model appears meanwhile). While a drift retrain waits for its rows, timer ticks
 * are skipped ({@link #yieldedTimerTicks()}): a timer retrain then would train across the change and hold the worker
 * when the drift retrain becomes ready; for the same reason a timer retrain running when a drift is accepted is
 * cancelled ({@link RetrainRunner#cancel}; its requests get {@code failed}, "retrain cancelled: ..."). Requested
 * retrains are never cancelled. A window of at most {@code --driver-rows} rows trains on the driver
 * ({@link RetrainJob}).
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
    private final TriggerPolicy policy;
    private final LakeProbe probe;
    private final DriftCooldown cooldown;
    private final CompletableFuture<Void> warmedUp = new CompletableFuture<>();
    private boolean warmUpFirst; // set before the worker starts
    private final ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "retrain-lake-poller"));
    private final List<Wait> waits = new ArrayList<>();
    private final Map<String, DriftTiming> timings = new ConcurrentHashMap<>();
    private final AtomicReference<Instant> floor = new AtomicReference<>();
    private final AtomicLong driftRetrains = new AtomicLong();
    private final AtomicLong yieldedTicks = new AtomicLong();
    private final AtomicLong cancelledTimerRetrains = new AtomicLong();
    /** The batch the worker is running, or null. */
    private volatile RequestQueue.Batch running;
    /** Held by the worker for a retrain and by the maintenance thread for a pass: the two never share the session. */
    private final java.util.concurrent.locks.ReentrantLock sparkWork = new java.util.concurrent.locks.ReentrantLock(true);
    private final ScheduledExecutorService maintenanceTimer = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "lake-maintenance"));
    private Runnable maintenance;
    private Duration maintenanceEvery;
    private final AtomicLong maintenancePasses = new AtomicLong();

    /** A request waiting for enough labelled rows; {@code deadline} null waits forever. */
    private record Wait(RetrainRequest request, long minRows, Instant deadline) {
    }

    /** Wall-clock points of a drift's way from detection to a served version (for the status detail and the log). */
    private record DriftTiming(Instant detectedAt, Instant receivedAt, Instant readyAt) {
        DriftTiming ready(Instant at) {
            return new DriftTiming(detectedAt, receivedAt, at);
        }
    }

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
        this(runner, channel, every, groupId, clock, TriggerPolicy.timerOnly(), null);
    }

    /**
     * @param policy drift and bootstrap triggers
     * @param probe  counts labelled lake rows; required when {@code policy} enables drift or bootstrap
     */
    public RetrainScheduler(RetrainRunner runner, ControlChannel channel, Duration every, String groupId, Clock clock,
                            TriggerPolicy policy, LakeProbe probe) {
        if ((policy.drift() || policy.bootstrap()) && probe == null) {
            throw new IllegalArgumentException("drift and bootstrap retrains need a lake probe to count labelled rows");
        }
        this.policy = policy;
        this.probe = probe;
        this.cooldown = new DriftCooldown(policy.cooldown());
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

    /** A scheduler running {@code job} on its timer and requests only, forced when any request in a batch asks for it. */
    public static RetrainScheduler forJob(RetrainJob job, ControlChannel channel, Duration every) {
        return forJob(job, channel, every, TriggerPolicy.timerOnly());
    }

    /**
     * A scheduler running {@code job} on its timer, requests and the triggers of {@code policy}. A drift or bootstrap
     * batch must find its policy's minimum of rows; any other batch the job's {@code --min-rows}.
     */
    public static RetrainScheduler forJob(RetrainJob job, ControlChannel channel, Duration every, TriggerPolicy policy) {
        CancellableRuns runs = new CancellableRuns(job.spark().sparkContext());
        RetrainRunner runner = new RetrainRunner() {
            @Override
            public RetrainOutcome run(RequestQueue.Batch batch) {
                long minRows = switch (batch.reason()) {
                    case DRIFT -> policy.driftMinRows();
                    case BOOTSTRAP -> policy.bootstrapMinRows();
                    default -> job.config().minRows();
                };
                RetrainJob.Trigger trigger = new RetrainJob.Trigger(batch.reason(), batch.trainFrom(), minRows);
                return runs.run(() -> (batch.forced() ? job.with(job.config().forced()) : job).run(trigger));
            }

            @Override
            public boolean cancel(String why) {
                return runs.cancel(why);
            }

            @Override
            public void warmUp() {
                LOG.info("warmed up the retrain on synthetic rows in {} ms (nothing stored)", job.warmUp().toMillis());
            }
        };
        LakeProbe probe = new LakeProbe() {
            @Override
            public long labelledRowsSince(Instant from, long needed) {
                return job.labelledRowsSince(from, needed);
            }

            @Override
            public boolean hasCurrentModel() {
                return job.hasCurrentModel();
            }
        };
        return new RetrainScheduler(runner, channel, every, DEFAULT_GROUP, Clock.systemUTC(), policy, probe);
    }

    /**
     * Runs {@code pass} (the lake's compaction and retention) every {@code every}, the first one {@code every} after
     * {@link #start()}, never at the same time as a retrain: a pass waits for a running retrain, and a retrain that
     * comes during a pass waits for it. A pass that throws is logged; the next runs on time. Call before
     * {@link #start()}.
     */
    public RetrainScheduler maintainedBy(Runnable pass, Duration every) {
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("--lake-maintenance-interval must be positive, got " + Durations.format(every));
        }
        this.maintenance = java.util.Objects.requireNonNull(pass, "pass");
        this.maintenanceEvery = every;
        return this;
    }

    /** Maintenance passes finished so far (with or without an error). */
    public long maintenancePasses() {
        return maintenancePasses.get();
    }

    private void maintain() {
        sparkWork.lock();
        try {
            long t0 = System.nanoTime();
            maintenance.run();
            LOG.info("lake maintenance pass done in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.error("lake maintenance pass failed: {}; the next one runs in {}", e.getMessage(),
                    Durations.format(maintenanceEvery), e);
        } finally {
            maintenancePasses.incrementAndGet();
            sparkWork.unlock();
        }
    }

    /** Passes every finished run to {@code runs} (the scheduler's metrics); call before {@link #start()}. */
    public RetrainScheduler observedBy(Observer runs) {
        this.observer = runs;
        return this;
    }

    public RetrainScheduler start() {
        listener.start();
        if (every != null) {
            timer.scheduleAtFixedRate(this::tick, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
        if (policy.bootstrap()) {
            boolean serving;
            try {
                serving = probe.hasCurrentModel();
            } catch (RuntimeException e) {
                LOG.error("cannot tell whether a model is serving ({}); no bootstrap retrain", e.getMessage());
                serving = true;
            }
            if (!serving) {
                RetrainRequest bootstrap = new RetrainRequest("bootstrap-" + UUID.randomUUID(), clock.instant(), false,
                        "scheduler", Reason.BOOTSTRAP, null);
                LOG.info("no model is serving: the first one is trained once {} labelled rows exist ({})",
                        policy.bootstrapMinRows(), bootstrap.requestId());
                addWait(new Wait(bootstrap, policy.bootstrapMinRows(), null));
                warmUpFirst = true;
            }
        }
        if (!warmUpFirst) {
            warmedUp.complete(null);
        }
        worker.start(); // after warmUpFirst is set: the thread's start publishes it
        if (maintenance != null) {
            maintenanceTimer.scheduleWithFixedDelay(this::maintain, maintenanceEvery.toMillis(), maintenanceEvery.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        if (policy.drift() || policy.bootstrap()) {
            poller.scheduleWithFixedDelay(this::pollWaits, 0, policy.pollEvery().toMillis(), TimeUnit.MILLISECONDS);
        }
        LOG.info("retrain scheduler started: every {}, listening on {}; drift retraining {}", every == null
                ? "(on demand only)" : Durations.format(every), channel.topic(), policy.drift()
                ? "on (at least " + policy.driftMinRows() + " rows after the change point, cooldown "
                + Durations.format(policy.cooldown()) + ")" : "off");
        return this;
    }

    /**
     * Acts on a drift detection as the control listener does: retrain from its change point once enough rows exist,
     * unless drift retraining is off or the {@link DriftCooldown} suppresses it.
     *
     * @return whether a retrain was scheduled for it
     */
    public boolean onDrift(DriftDetected detection) {
        if (!policy.drift()) {
            LOG.info("drift {} on {} (change point {}): drift retraining is off, ignored", detection.requestId(),
                    detection.version(), detection.changePoint());
            return false;
        }
        Instant now = clock.instant();
        DriftCooldown.Decision decision = cooldown.consider(detection, now);
        if (!decision.retrain()) {
            LOG.info("drift {} on {} suppressed ({} so far): {}", detection.requestId(), detection.version(),
                    cooldown.suppressed(), decision.reason());
            return false;
        }
        LOG.info("{}; retraining on rows from the change point once {} are labelled", decision.reason(), policy.driftMinRows());
        RetrainRequest request = new RetrainRequest(detection.requestId(), now, false, "monitor:" + detection.detector(),
                Reason.DRIFT, detection.changePoint());
        timings.put(request.requestId(), new DriftTiming(detection.detectedAt(), now, null));
        addWait(new Wait(request, policy.driftMinRows(), now.plus(policy.driftWait())));
        RequestQueue.Batch current = running;
        if (current != null && current.reason() == Reason.TIMER && runner.cancel("drift " + detection.requestId()
                + " detected: a timer retrain reads across its change point " + detection.changePoint())) {
            cancelledTimerRetrains.incrementAndGet();
        }
        return true;
    }

    /** Timer retrains cancelled because a drift was detected while they ran. */
    public long cancelledTimerRetrains() {
        return cancelledTimerRetrains.get();
    }

    /**
     * The timer's tick: queues a timer retrain, unless a drift retrain is waiting for its rows. Such a timer retrain
     * would read across the change and hold the worker when the drift retrain's rows arrive; the drift retrain
     * serves the timer's purpose once it runs.
     */
    private void tick() {
        Optional<Wait> drift;
        synchronized (waits) {
            drift = waits.stream().filter(w -> w.request().reason() == Reason.DRIFT).findFirst();
        }
        if (drift.isPresent()) {
            long n = yieldedTicks.incrementAndGet();
            LOG.info("timer retrain skipped ({} so far): drift retrain {} is waiting for labelled rows from {}", n,
                    drift.get().request().requestId(), drift.get().request().trainFrom());
            return;
        }
        queue.offer(new RetrainRequest("timer-" + UUID.randomUUID(), clock.instant(), false, "timer", Reason.TIMER, null));
    }

    /** Timer ticks skipped because a drift retrain was waiting for rows. */
    public long yieldedTimerTicks() {
        return yieldedTicks.get();
    }

    /** Drift detections suppressed by the cooldown so far. */
    public long suppressedDetections() {
        return cooldown.suppressed();
    }

    /** Drift retrains finished so far (promoted, kept or failed). */
    public long driftRetrains() {
        return driftRetrains.get();
    }

    /** The change point below which no retrain reads (that of the last promoted drift retrain), or null. */
    public Instant changePointFloor() {
        return floor.get();
    }

    private void addWait(Wait wait) {
        synchronized (waits) {
            waits.add(wait);
        }
        poller.execute(this::pollWaits);
    }

    /** Counts the labelled rows each waiting request needs and queues those that have enough (poller thread). */
    private void pollWaits() {
        List<Wait> current;
        synchronized (waits) {
            current = List.copyOf(waits);
        }
        for (Wait wait : current) {
            RetrainRequest request = wait.request();
            try {
                if (request.reason() == Reason.BOOTSTRAP && probe.hasCurrentModel()) {
                    LOG.info("bootstrap {} dropped: a model is serving now", request.requestId());
                    removeWait(wait);
                    continue;
                }
                long rows = probe.labelledRowsSince(request.trainFrom(), wait.minRows());
                Instant now = clock.instant();
                if (rows >= wait.minRows()) {
                    LOG.info("{} {}: {} labelled rows{}, retraining", request.reason().wireName(), request.requestId(), rows,
                            request.trainFrom() == null ? "" : " at or after " + request.trainFrom());
                    timings.computeIfPresent(request.requestId(), (id, t) -> t.ready(now));
                    removeWait(wait);
                    queue.offer(request);
                } else if (wait.deadline() != null && !now.isBefore(wait.deadline())) {
                    removeWait(wait);
                    timings.remove(request.requestId());
                    String detail = String.format(java.util.Locale.ROOT,
                            "no %s retrain: only %d labelled rows at or after the change point %s after waiting %s; at "
                                    + "least %d are needed (--drift-min-rows, --drift-wait)", request.reason().wireName(),
                            rows, request.trainFrom(), Durations.format(policy.driftWait()), wait.minRows());
                    LOG.warn("{}: {}", request.requestId(), detail);
                    publish(new RetrainStatus(request.requestId(), Status.FAILED, null, detail, now));
                }
            } catch (RuntimeException e) {
                // The lake is being written or briefly unreadable: try again at the next poll.
                LOG.warn("cannot count labelled rows for {}: {}; retrying", request.requestId(), e.getMessage());
            }
        }
    }

    private void removeWait(Wait wait) {
        synchronized (waits) {
            waits.remove(wait);
        }
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
                            LOG.info("retrain request {} from '{}' (force={}, reason {})", request.requestId(),
                                    request.requestedBy(), request.force(), request.reason().wireName());
                            queue.offer(request);
                        } else if (message.isPresent() && message.get() instanceof DriftDetected drift) {
                            onDrift(drift);
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
        if (warmUpFirst) {
            warmUp();
        }
        while (!closed) {
            RequestQueue.Batch batch;
            try {
                batch = queue.takeAll().notBefore(floor.get());
            } catch (InterruptedException e) {
                return;
            }
            busy = true;
            int run = runs.get() + 1;
            try {
                String startDetail = "retrain run #" + run + " for " + batch.requests().size() + " request(s)"
                        + (batch.forced() ? ", forced" : "") + ", reason " + batch.reason().wireName()
                        + (batch.trainFrom() == null ? "" : ", rows from " + batch.trainFrom());
                batch.requestIds().forEach(id -> publish(new RetrainStatus(id, Status.STARTED, null, startDetail, clock.instant())));
                List<RetrainStatus> finals;
                sparkWork.lock();
                running = batch;
                try {
                    finals = finalStatuses(batch, run);
                } finally {
                    running = null;
                    sparkWork.unlock();
                }
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
        Instant startedAt = clock.instant();
        try {
            RetrainOutcome outcome = runner.run(batch);
            status = outcome.promoted() ? Status.PROMOTED : Status.KEPT;
            candidate = outcome.candidate().toString();
            detail = "retrain run #" + run + " (" + batch.reason().wireName() + "): " + outcome.reason();
            if (outcome.promoted() && batch.reason() == Reason.DRIFT) {
                floor.accumulateAndGet(batch.trainFrom(), (a, b) -> a == null || (b != null && b.isAfter(a)) ? b : a);
            }
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
        if (batch.reason() == Reason.DRIFT) {
            driftRetrains.incrementAndGet();
        }
        List<RetrainStatus> finals = new ArrayList<>();
        for (String id : batch.requestIds()) {
            DriftTiming timing = timings.remove(id);
            String full = detail;
            if (timing != null) {
                full = detail + "; " + timingDetail(timing, startedAt, at);
                LOG.info("drift {}: {}", id, timingDetail(timing, startedAt, at));
            }
            finals.add(new RetrainStatus(id, status, candidate, full, at));
        }
        return finals;
    }

    /** Detection to final status, in pieces: the monitor's delivery, waiting for rows, queueing, the retrain. */
    private static String timingDetail(DriftTiming t, Instant startedAt, Instant finishedAt) {
        Instant ready = t.readyAt() == null ? t.receivedAt() : t.readyAt();
        return String.format(java.util.Locale.ROOT,
                "detection to final status %.2f s (delivery %.2f s, waiting for rows %.2f s, queued %.2f s, retrain %.2f s)",
                secondsBetween(t.detectedAt(), finishedAt), secondsBetween(t.detectedAt(), t.receivedAt()),
                secondsBetween(t.receivedAt(), ready), secondsBetween(ready, startedAt), secondsBetween(startedAt, finishedAt));
    }

    private static double secondsBetween(Instant a, Instant b) {
        return Duration.between(a, b).toNanos() / 1e9;
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
        warmedUp.complete(null);
        timer.shutdownNow();
        poller.shutdownNow();
        maintenanceTimer.shutdown();
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
            // A pass is atomic per commit and safe to cut (LakeCompactionKillIT); give a short one the time to end.
            if (!maintenanceTimer.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("lake maintenance pass still running at close; it stops with the session");
            }
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

    /**
     * Completes once the worker has warmed the retrain up ({@link RetrainRunner#warmUp}, done before the first retrain
     * when no model served at {@link #start()}, while the bootstrap waits for its rows), at once when there was
     * nothing to warm up; also when the warm-up failed (logged). Lets a caller that controls the input, such as the
     * demo, start producing once the first retrain will run warm.
     */
    public CompletableFuture<Void> warmedUp() {
        return warmedUp;
    }

    private void warmUp() {
        try {
            runner.warmUp();
        } catch (RuntimeException e) {
            LOG.warn("warming up the retrain failed ({}); the first retrain runs cold", e.toString());
        } finally {
            warmedUp.complete(null);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
