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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p>A version that passed its checks and loaded is kept in memory by id ({@value #KEPT_VERSIONS} versions, the most
 * recently used): committed versions are immutable, so when the pointer names a kept version again (a re-promotion,
 * a rollback) it serves at once, after the pointer read alone, without its metadata, checksums or files being read
 * again. Only versions that passed are kept; a refused version is never served.
 *
 * <p>With {@link #prefetchEvery}, a background thread also watches the pointer and prepares (checks and loads) a
 * newly promoted version while the batch in flight runs, so the next batch finds it ready instead of loading it
 * itself; a batch that starts while the preparation runs waits for it. {@link #prepareNewest()} prepares the newest
 * committed version before any promotion names it. Which version scores a batch is decided the same way in every
 * case, by the pointer read at the batch's start. A replayed batch asks for the version its first attempt used with
 * {@link #version(VersionId)} instead.
 *
 * <p>{@link #refresh()}, {@link #version(VersionId)} and the counters belong to the streaming query's one batch
 * thread; the preparations and kept versions are shared with the prefetch thread and {@link #prepareNewest()}'s
 * caller.
 *
 * @param <M> the loaded model form
 */
public final class ModelTracker<M> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTracker.class);
    /** Attempts at preparing a version whose registry entry or files cannot be read, before a batch gives up. */
    static final int LOAD_ATTEMPTS = 5;
    static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
    static final Duration MAX_BACKOFF = Duration.ofMillis(500);
    /** Checked and loaded versions kept in memory for a later promotion of the same id (a tree is a few kB to MB). */
    static final int KEPT_VERSIONS = 4;

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
    /** Guards starting a preparation against taking one's outcome (which changes what is new), and {@link #kept}. */
    private final Object lock = new Object();
    /** Versions that passed their checks and loaded, least recently used first; guarded by {@link #lock}. */
    private final Map<VersionId, ServingModel<M>> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<VersionId, ServingModel<M>> eldest) {
            return size() > KEPT_VERSIONS;
        }
    };
    private ScheduledExecutorService prefetcher;
    private volatile ServingModel<M> serving;
    private volatile VersionId refused;
    private long refusals;
    private long swaps;
    private long registryFailures;
    private long prefetched;
    private long keptSwaps;
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
            if (ready.kept()) {
                LOG.info("model {} now serving (was {}); trained {} on {} rows, checked and loaded before, kept in memory",
                        candidate, describe(serving), ready.model().metadata().createdAt(),
                        ready.model().metadata().trainingRows());
                keptSwaps++;
            } else {
                LOG.info("model {} now serving (was {}); trained {} on {} rows, loaded in {} ms{}", candidate,
                        describe(serving), ready.model().metadata().createdAt(), ready.model().metadata().trainingRows(),
                        ready.millis(), ready.inBackground() ? " in the background" : "");
            }
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
     * scored): the serving model when it is that version, else the kept one, else the version checked and loaded now
     * the way a promoted one is (transient failures retried), without making it serve later batches.
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

    /**
     * How long the serving version took to check and load (retries included); 0 while none serves, and when it was
     * kept from an earlier load.
     */
    public long servingLoadMillis() {
        return servingLoadMillis;
    }

    /** Of {@link #swaps()}, those whose version the prefetch thread had prepared (or was preparing) for the batch. */
    public long prefetchedSwaps() {
        return prefetched;
    }

    /**
     * Of {@link #swaps()}, those whose version was kept from an earlier check and load (served before, or prepared by
     * {@link #prepareNewest()}) and served without being read again.
     */
    public long keptSwaps() {
        return keptSwaps;
    }

    /**
     * Checks and loads the registry's newest committed version in the calling thread (or waits for a preparation of
     * it already running), unless it is serving, kept or refused, so that a later promotion of it serves after the
     * pointer read alone. The
     * outcome decides nothing: a version that passes is kept (as one that served would be, see the class doc), any
     * other outcome is dropped and the version is checked again if the pointer ever names it. Costs one listing of
     * the registry's versions (the registry reads each committed version's manifest) and at most one load. Never
     * throws.
     *
     * @return the version now kept ready, or empty when nothing was prepared or it did not pass
     */
    public Optional<VersionId> prepareNewest() {
        List<VersionId> committed;
        try {
            committed = registry.versions();
        } catch (RuntimeException e) {
            LOG.warn("cannot list the registry's versions to prepare the newest ahead ({}); skipped", e.getMessage());
            return Optional.empty();
        }
        if (committed.isEmpty()) {
            return Optional.empty();
        }
        VersionId newest = committed.get(committed.size() - 1);
        CompletableFuture<Preparation<M>> preparation = preparation(newest, true);
        if (preparation == null) {
            return Optional.empty();
        }
        Preparation<M> outcome = preparation.join();
        preparations.remove(newest, preparation);
        if (outcome instanceof Ready<M> ready) {
            if (!ready.kept()) {
                LOG.info("model {}, the newest committed version, checked and loaded ahead of its promotion in {} ms",
                        newest, ready.millis());
            }
            return Optional.of(newest);
        }
        LOG.info("model {}, the newest committed version, not prepared ahead ({}); checked again if promoted", newest,
                outcome instanceof Refused<M> refusal ? refusal.reason() : ((Unreadable<M>) outcome).reason());
        return Optional.empty();
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
     * The version's preparation: the one a thread started, if any; else, done at once, the kept version; else run
     * by the calling thread now. A background preparation is only started for a version that is still new (not
     * serving, not refused). A version that passes is kept.
     */
    private CompletableFuture<Preparation<M>> preparation(VersionId version, boolean inBackground) {
        CompletableFuture<Preparation<M>> started = new CompletableFuture<>();
        synchronized (lock) {
            if (inBackground && !isNew(version)) {
                return null;
            }
            // A preparation not yet taken comes first, so a swap to a version the prefetch thread loaded counts as
            // prefetched.
            CompletableFuture<Preparation<M>> existing = preparations.get(version);
            if (existing != null) {
                return existing;
            }
            ServingModel<M> known = kept.get(version);
            if (known != null) {
                return CompletableFuture.completedFuture(new Ready<>(known, false, 0, true));
            }
            preparations.put(version, started);
        }
        try {
            Preparation<M> outcome = prepare(version, inBackground);
            if (outcome instanceof Ready<M> ready) {
                synchronized (lock) {
                    kept.put(version, ready.model());
                }
            }
            started.complete(outcome);
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
        M model = loader.load(version);
        problem = loader.problem(model);
        if (problem.isPresent()) {
            return new Refused<>(problem.get());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Ready<>(new ServingModel<>(candidate, metadata, model), inBackground, millis, false);
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

    /** A version that passed: loaded now ({@code kept} false) or kept from an earlier load. */
    private record Ready<M>(ServingModel<M> model, boolean inBackground, long millis, boolean kept)
            implements Preparation<M> {
    }

    private record Refused<M>(String reason) implements Preparation<M> {
    }

    private record Unreadable<M>(String reason) implements Preparation<M> {
    }
}
