package dev.streamtree.streaming.score;

import dev.streamtree.common.prediction.ModelCompatibility;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Decides, at the start of each micro-batch, which model scores it.
 *
 * <p>Each {@link #refresh()} reads the registry's {@code current} pointer once. When it names a version other than
 * the one serving, that version is checked (schema fingerprint, features and classes from its metadata; then the
 * loaded model itself) and, if it passes, serves from this batch on. A version that fails a check or fails to load
 * is refused: logged, counted, and not tried again until the pointer moves; the previous model keeps serving. A
 * registry that cannot be read is logged and retried on the next batch, also keeping the previous model.
 *
 * <p>With {@link #prefetchEvery}, a background thread also watches the pointer and prepares (checks and loads) a
 * newly promoted version while the batch in flight runs, so the next batch finds it ready instead of loading it
 * itself; a batch that starts while the preparation runs waits for it. Which version scores a batch is decided the
 * same way either way, by the pointer read at the batch's start.
 *
 * <p>{@link #refresh()} and the counters belong to the streaming query's one batch thread; the preparations are
 * shared with the prefetch thread through a concurrent map.
 *
 * @param <M> the loaded model form
 */
public final class ModelTracker<M> implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTracker.class);

    private final ModelRegistry registry;
    private final EventSchema schema;
    private final ModelLoader<M> loader;
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

    public ModelTracker(ModelRegistry registry, EventSchema schema, ModelLoader<M> loader) {
        this.registry = registry;
        this.schema = schema;
        this.loader = loader;
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
            swaps++;
            if (ready.inBackground()) {
                prefetched++;
            }
        } else if (outcome instanceof Refused<M> refusal) {
            refused = candidate;
            refusals++;
            LOG.error("refusing model {}: {}; keeping {}", candidate, refusal.reason(), describe(serving));
        } else if (outcome instanceof Unreadable<M> unreadable) {
            registryFailures++;
            LOG.warn("cannot read model {} from the registry ({}); keeping {} and retrying next batch", candidate,
                    unreadable.reason(), describe(serving));
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

    /** Of {@link #swaps()}, those whose version the prefetch thread had prepared (or was preparing) for the batch. */
    public long prefetchedSwaps() {
        return prefetched;
    }

    /** Registry reads that failed and will be retried. */
    public long registryFailures() {
        return registryFailures;
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
        try {
            Optional<VersionId> current = registry.current();
            // A done preparation of a version the pointer left is stale; one that could not read the registry is
            // tried again.
            preparations.entrySet().removeIf(e -> e.getValue().isDone()
                    && (current.isEmpty() || !e.getKey().equals(current.get())
                    || e.getValue().getNow(null) instanceof Unreadable));
            if (current.isPresent()) {
                preparation(current.get(), true);
            }
        } catch (RuntimeException e) {
            // The batch thread reads the pointer too and reports what fails; this thread only tries again later.
            LOG.debug("model prefetch: {}", e.getMessage());
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

    /** Checks and loads a version; never throws, the outcome says what happened. */
    private Preparation<M> prepare(VersionId candidate, boolean inBackground) {
        long start = System.nanoTime();
        try {
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
        } catch (CorruptVersionException e) {
            return new Refused<>("corrupt version: " + e.getMessage());
        } catch (RegistryException e) {
            return new Unreadable<>(e.getMessage());
        } catch (RuntimeException e) {
            return new Refused<>("failed to load: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
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
