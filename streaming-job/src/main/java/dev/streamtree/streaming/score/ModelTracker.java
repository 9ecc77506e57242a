package dev.streamtree.streaming.score;

import com.fasterxml.jackson.core.JacksonException;
import dev.streamtree.common.prediction.ModelCompatibility;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decides, at the start of each micro-batch, which model scores it.
 *
 * <p>Each {@link #refresh()} reads the registry's {@code current} pointer once. When it names a version other than
 * the one serving, that version is checked (schema fingerprint, features and classes from its metadata; then the
 * loaded model itself) and, if it passes, serves from this batch on; the previous model keeps serving otherwise.
 * Failures are sorted in two kinds:
 * <ul>
 *   <li><b>invalid version</b> (its files fail the registry's checksum check, its metadata names another schema, or
 *       the loaded model cannot score the schema's events): refused at once, logged at WARN with the reason,
 *       counted, and not tried again until the pointer moves;</li>
 *   <li><b>transient</b> (the registry or the model files cannot be read: a {@link RegistryException}, or a load
 *       failure caused by an {@link IOException}): retried at once, up to 5 attempts with pauses doubling from
 *       100 ms up to 500 ms, each retry logged at WARN with its count; a version still unreadable after that is not
 *       refused but tried again by the next batch.</li>
 * </ul>
 *
 * <p>With {@link #prefetchEvery}, a background thread also watches the pointer and prepares (checks and loads) a
 * newly promoted version while the batch in flight runs, so the next batch finds it ready instead of loading it
 * itself; a batch that starts while the preparation runs waits for it. Which version scores a batch is decided the
 * same way either way, by the pointer read at the batch's start. A replayed batch asks for the version its first
 * attempt used with {@link #version(VersionId)} instead.
 *
 * <p>{@link #refresh()}, {@link #version(VersionId)} and the counters belong to the streaming query's one batch
 * thread; the preparations are shared with the prefetch thread through a concurrent map.
 *
 * @param <M> the loaded model form
 */
public final class ModelTracker<M> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTracker.class);
    /** Attempts at preparing a version whose registry entry or files cannot be read, before a batch gives up. */
    static final int LOAD_ATTEMPTS = 5;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    /** Waits between two attempts at a transient failure; a test records the pauses instead of sleeping. */
    @FunctionalInterface
    interface Pause {
        void pause(Duration duration) throws InterruptedException;
    }

    private final ModelRegistry registry;
    private final EventSchema schema;
    private final ModelLoader<M> loader;
    private final Pause pause;
    private final ConcurrentMap<VersionId, CompletableFuture<Preparation<M>>> preparations = new ConcurrentHashMap<>();
    /** Guards starting a preparation against taking one's outcome (which changes what is new). */
    private final Object lock = new Object();
    private ScheduledExecutorService prefetcher;
    private volatile ServingModel<M> serving;
    private volatile VersionId refused;
    private long refusals;
    private long swaps;
    private long registryFailures;
    private long prefetched;
    private volatile long servingLoadMillis;
    private final AtomicLong loadRetries = new AtomicLong();
    /** Consecutive failures of the prefetch thread's pointer read (that thread only). */
    private long prefetchFailures;

    public ModelTracker(ModelRegistry registry, EventSchema schema, ModelLoader<M> loader) {
        this(registry, schema, loader, duration -> Thread.sleep(duration.toMillis()));
    }

    ModelTracker(ModelRegistry registry, EventSchema schema, ModelLoader<M> loader, Pause pause) {
        this.registry = registry;
        this.schema = schema;
        this.loader = loader;
        this.pause = pause;
    }

    /**
     * Starts watching the pointer every {@code interval} on a daemon thread, preparing a promoted version before a
     * batch asks for it. Stopped by {@link #close()}.
     */
    public ModelTracker<M> prefetchEvery(Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("prefetch interval must be positive, got " + interval);
        }
        if (prefetcher != null) {
            throw new IllegalStateException("already prefetching");
        }
        prefetcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "streamtree-model-prefetch");
            thread.setDaemon(true);
            return thread;
        });
        prefetcher.scheduleWithFixedDelay(this::prefetch, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** The model for the next batch, after following the pointer if it moved; empty while none was ever usable. */
    public Optional<ServingModel<M>> refresh() {
        Optional<VersionId> current;
        try {
            current = registry.current();
        } catch (RuntimeException e) {
            registryFailures++;
            LOG.warn("cannot read the registry's current pointer ({}); keeping {}", e.getMessage(), describe(serving));
            return Optional.ofNullable(serving);
        }
        if (current.isEmpty() || !isNew(current.get())) {
            return Optional.ofNullable(serving);
        }
        VersionId candidate = current.get();
        CompletableFuture<Preparation<M>> preparation = preparation(candidate, false);
        Preparation<M> outcome = preparation.join();
        synchronized (lock) {
            // Under the lock, so the prefetch thread never sees the version as new once its outcome is taken.
            take(candidate, outcome);
            preparations.remove(candidate, preparation);
        }
        return Optional.ofNullable(serving);
    }

    private void take(VersionId candidate, Preparation<M> outcome) {
        if (outcome instanceof Ready<M> ready) {
            LOG.info("model {} now serving (was {}); trained {} on {} rows, loaded in {} ms{}", candidate,
                    describe(serving), ready.model().metadata().createdAt(), ready.model().metadata().trainingRows(),
                    ready.millis(), ready.inBackground() ? " in the background" : "");
            serving = ready.model();
            servingLoadMillis = ready.millis();
            swaps++;
            if (ready.inBackground()) {
                prefetched++;
            }
        } else if (outcome instanceof Refused<M> refusal) {
            refused = candidate;
            refusals++;
            LOG.warn("refusing model {}, an invalid version: {}; keeping {} until the pointer moves", candidate,
                    refusal.reason(), describe(serving));
        } else if (outcome instanceof Unreadable<M> unreadable) {
            registryFailures++;
            LOG.warn("cannot read model {} ({}); keeping {} and retrying next batch", candidate,
                    unreadable.reason(), describe(serving));
        }
    }

    /**
     * The given version, for a batch that must be scored by it (the replay of a batch whose first attempt it
     * scored): the serving model when it is that version, else the version checked and loaded now the way a promoted
     * one is (transient failures retried), without making it serve later batches.
     *
     * @throws UnavailableVersionException naming why the version cannot score: it is invalid, or still unreadable
     *                                     after the retries
     */
    public ServingModel<M> version(VersionId version) {
        ServingModel<M> now = serving;
        if (now != null && now.version().equals(version)) {
            return now;
        }
        CompletableFuture<Preparation<M>> preparation = preparation(version, false);
        Preparation<M> outcome = preparation.join();
        preparations.remove(version, preparation);
        if (outcome instanceof Ready<M> ready) {
            return ready.model();
        }
        if (outcome instanceof Refused<M> refusal) {
            throw new UnavailableVersionException("model " + version + " is invalid: " + refusal.reason());
        }
        throw new UnavailableVersionException("model " + version + " cannot be read: "
                + ((Unreadable<M>) outcome).reason());
    }

    /** A version that {@link #version(VersionId)} cannot provide; the message says why. */
    public static final class UnavailableVersionException extends RuntimeException {

        UnavailableVersionException(String message) {
            super(message);
        }
    }

    /** Versions refused so far. */
    public long refusals() {
        return refusals;
    }

    /** Times a new version started serving (the first one included). */
    public long swaps() {
        return swaps;
    }

    /** How long the serving version took to check and load (retries included), or 0 while none serves. */
    public long servingLoadMillis() {
        return servingLoadMillis;
    }

    /** Of {@link #swaps()}, those whose version the prefetch thread had prepared (or was preparing) for the batch. */
    public long prefetchedSwaps() {
        return prefetched;
    }

    /**
     * Batches that kept their model because the registry's pointer, or a new version's registry entry or files,
     * could not be read even after the retries; a later batch tries again.
     */
    public long registryFailures() {
        return registryFailures;
    }

    /** Attempts at preparing a version that failed transiently and were retried (on either thread). */
    public long loadRetries() {
        return loadRetries.get();
    }

    /** Stops the prefetch thread, if any; a load it is running finishes on its own. */
    @Override
    public void close() {
        if (prefetcher != null) {
            prefetcher.shutdownNow();
        }
    }

    private boolean isNew(VersionId version) {
        ServingModel<M> now = serving;
        return (now == null || !version.equals(now.version())) && !version.equals(refused);
    }

    /** One pass of the prefetch thread: prepare the version the pointer names, drop the preparations not needed. */
    private void prefetch() {
        Optional<VersionId> current;
        try {
            current = registry.current();
        } catch (RuntimeException e) {
            // The batch thread reads the pointer too and keeps its model; this thread tries again next pass. Logged on
            // the first failure of a run and then at 2, 4, 8... consecutive failures, so an outage does not flood.
            prefetchFailures++;
            if (Long.bitCount(prefetchFailures) == 1) {
                LOG.warn("model prefetch cannot read the registry's current pointer ({} consecutive failures): {}",
                        prefetchFailures, e.getMessage());
            }
            return;
        }
        if (prefetchFailures > 0) {
            LOG.info("model prefetch reads the registry's current pointer again after {} failures", prefetchFailures);
            prefetchFailures = 0;
        }
        try {
            // A done preparation of a version the pointer left is stale; one that could not read the registry is
            // tried again.
            preparations.entrySet().removeIf(e -> e.getValue().isDone()
                    && (current.isEmpty() || !e.getKey().equals(current.get())
                    || e.getValue().getNow(null) instanceof Unreadable));
            if (current.isPresent()) {
                preparation(current.get(), true);
            }
        } catch (RuntimeException e) {
            // preparation() reports every failure as an outcome; anything else here is a defect, logged and retried.
            LOG.warn("model prefetch failed: {}", e.toString(), e);
        }
    }

    /**
     * The version's preparation; if no thread has started it, the calling thread runs it now. The prefetch thread
     * only starts one for a version that is still new (not serving, not refused).
     */
    private CompletableFuture<Preparation<M>> preparation(VersionId version, boolean inBackground) {
        CompletableFuture<Preparation<M>> started = new CompletableFuture<>();
        synchronized (lock) {
            if (inBackground && !isNew(version)) {
                return null;
            }
            CompletableFuture<Preparation<M>> existing = preparations.putIfAbsent(version, started);
            if (existing != null) {
                return existing;
            }
        }
        try {
            started.complete(prepare(version, inBackground));
        } catch (Error e) {
            preparations.remove(version, started);
            started.completeExceptionally(e);
            throw e;
        }
        return started;
    }

    /**
     * Checks and loads a version, retrying transient failures; never throws, the outcome says what happened.
     */
    private Preparation<M> prepare(VersionId candidate, boolean inBackground) {
        long start = System.nanoTime();
        Duration backoff = FIRST_BACKOFF;
        for (int attempt = 1; ; attempt++) {
            String failure;
            try {
                return attempt(candidate, inBackground, start);
            } catch (CorruptVersionException e) {
                return new Refused<>("corrupt version: " + e.getMessage());
            } catch (RegistryException e) {
                failure = "registry: " + e.getMessage();
            } catch (RuntimeException e) {
                if (!isTransient(e)) {
                    return new Refused<>("cannot be loaded: " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            if (attempt >= LOAD_ATTEMPTS) {
                return new Unreadable<>(failure + " (" + attempt + " attempts)");
            }
            loadRetries.incrementAndGet();
            LOG.warn("preparing model {} failed transiently (attempt {} of {}): {}; retrying in {} ms", candidate,
                    attempt, LOAD_ATTEMPTS, failure, backoff.toMillis());
            try {
                pause.pause(backoff);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Unreadable<>(failure + " (interrupted after " + attempt + " attempts)");
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** One attempt at checking and loading a version: the outcome, or the exception that stopped it. */
    private Preparation<M> attempt(VersionId candidate, boolean inBackground, long start) {
        ModelRegistry.VerifiedVersion version = registry.verified(candidate);
        ModelMetadata metadata = version.metadata();
        Optional<String> problem = ModelCompatibility.problem(schema, metadata);
        if (problem.isPresent()) {
            return new Refused<>(problem.get());
        }
        M model = loader.load(version.modelLocation(), metadata);
        problem = loader.problem(model);
        if (problem.isPresent()) {
            return new Refused<>(problem.get());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Ready<>(new ServingModel<>(candidate, metadata, model), inBackground, millis);
    }

    /**
     * Whether a load failure may pass: one caused by an I/O error, except a file that does not parse (the checksum
     * check already passed, so the bytes are the ones committed and reading them again gives the same result).
     */
    static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof JacksonException) {
                return false;
            }
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(ServingModel<?> model) {
        return model == null ? "no model (events go to the lake unscored)" : "model " + model.version();
    }

    /** What preparing a version came to. */
    private sealed interface Preparation<M> permits Ready, Refused, Unreadable {
    }

    private record Ready<M>(ServingModel<M> model, boolean inBackground, long millis) implements Preparation<M> {
    }

    private record Refused<M>(String reason) implements Preparation<M> {
    }

    private record Unreadable<M>(String reason) implements Preparation<M> {
    }
}
