package dev.streamtree.streaming.realtime;

import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.Predictor;
import dev.streamtree.streaming.score.ServingModel;
import dev.streamtree.streaming.score.SparkModelLoader;
import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The model real-time tasks score with, one per JVM (executor) and registry: it decides, every watch interval, whether
 * the registry's {@code current} pointer moved and, when it did, which version serves from then on.
 *
 * <p>A real-time batch runs for a whole checkpoint interval (minutes), so its tasks cannot wait for a batch boundary to
 * see a promotion. A daemon thread reads the pointer every watch interval; a new version is checked and loaded by a
 * {@link ModelTracker} (schema fingerprint, features and classes from its metadata, then the fast loader of the
 * {@code model} module's {@code score} package, transient failures retried) and published with one atomic write of a
 * {@link Serving} record. Tasks read that record once per event and never wait for a load: the swap gap is the wait
 * for the next pointer read (up to one watch interval) plus the check and load. The tracker keeps the last few
 * versions that passed by id (versions are immutable), so a version promoted again or rolled back to is published
 * right after the pointer read, without reading its files again; and once, when the watcher starts, a second daemon
 * thread checks and loads the registry's newest committed version if it is not the current one (one listing of the
 * registry's versions, at most one load), so that its promotion is published the same way. A version that the
 * retrain job commits and promotes at once gains nothing from that: it is checked and loaded after the pointer read.
 * Because the published record changes only when the pointer moves, and then to the version it names, a partition
 * never goes back to an older version unless the pointer does (a rollback); a refused version (incompatible or
 * unloadable) leaves the current one serving, and is not tried again until the pointer moves. Preparing a version
 * ahead decides nothing: one that fails is dropped and checked when the pointer names it.
 *
 * <p>Watchers are kept in a per-JVM map keyed by registry location, schema fingerprint and decision-path setting, so
 * every task of an executor shares one watcher and one loaded model. The first task to ask creates it and does the
 * first pointer read and load itself, so an executor's first event already sees the serving version. A watcher lives as
 * long as its JVM; {@link #stop(String)} ends the watchers of a registry in this JVM (the driver calls it when the job
 * stops, which in local mode is also the executors' JVM).
 */
public final class ModelWatcher {

    private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);
    private static final ConcurrentMap<Key, ModelWatcher> WATCHERS = new ConcurrentHashMap<>();

    private final Key key;
    private final ModelTracker<TreeScorer> tracker;
    private final EventSchema schema;
    private final AtomicReference<Serving> serving = new AtomicReference<>();
    private final ScheduledExecutorService thread;
    private final Thread ahead;
    private final AtomicLong predictions = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private final AtomicLong unscored = new AtomicLong();

    /** What a task scores with: the version and its predictor (whose batch id and time each call replaces). */
    public record Serving(VersionId version, Predictor predictor) {
    }

    private record Key(String registry, String schemaFingerprint, boolean explain) {
    }

    private ModelWatcher(Key key, ModelRegistry registry, EventSchema schema, Configuration conf, Duration interval) {
        this.key = key;
        this.schema = schema;
        this.tracker = new ModelTracker<>(registry, schema, new SparkModelLoader(schema, conf));
        watch();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "streamtree-realtime-model-watch");
            t.setDaemon(true);
            return t;
        });
        thread.scheduleWithFixedDelay(this::watch, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        // Its own thread, so that the pointer reads go on while it loads.
        this.ahead = new Thread(this::prepareNewest, "streamtree-realtime-model-ahead");
        ahead.setDaemon(true);
        ahead.start();
    }

    /**
     * This JVM's watcher of {@code registry} for {@code schema}, created (with a first pointer read and load) on the
     * first call.
     *
     * @param conf     the Hadoop configuration to read the registry with
     * @param interval how often the pointer is read; only the first call's value counts
     * @param explain  whether predictions carry the decision path
     */
    static ModelWatcher of(String registry, EventSchema schema, Configuration conf, Duration interval,
                                  boolean explain) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("model watch interval must be positive, got " + interval);
        }
        Key key = new Key(registry, schema.fingerprint(), explain);
        return WATCHERS.computeIfAbsent(key, k -> new ModelWatcher(k, FileSystemModelRegistry.open(registry, conf),
                schema, conf, interval));
    }

    /** Ends this JVM's watchers of {@code registry}; the next {@link #of} starts a new one. */
    static void stop(String registry) {
        WATCHERS.entrySet().removeIf(entry -> {
            if (entry.getKey().registry().equals(registry)) {
                entry.getValue().thread.shutdownNow();
                entry.getValue().ahead.interrupt();
                return true;
            }
            return false;
        });
    }

    /** The version serving now, or empty while the registry has no usable current version. */
    public Optional<Serving> serving() {
        return Optional.ofNullable(serving.get());
    }

    /** Versions that started serving in this JVM (the first one included). */
    public long swaps() {
        return tracker.swaps();
    }

    /** Of {@link #swaps()}, those published without a load: the version was kept from an earlier one. */
    public long keptSwaps() {
        return tracker.keptSwaps();
    }

    /** Versions refused in this JVM. */
    public long refusals() {
        return tracker.refusals();
    }

    /** Predictions, dead letters and unscored valid events produced by this JVM's tasks. */
    public Counts counts() {
        return new Counts(predictions.get(), deadLetters.get(), unscored.get());
    }

    /** This JVM's per-record outcomes. */
    public record Counts(long predictions, long deadLetters, long unscored) {
    }

    void predicted() {
        predictions.incrementAndGet();
    }

    void deadLettered() {
        deadLetters.incrementAndGet();
    }

    void unscoredEvent() {
        unscored.incrementAndGet();
    }

    /** Checks and loads the newest committed version ahead of its promotion (see the class doc). Never throws. */
    private void prepareNewest() {
        try {
            tracker.prepareNewest();
        } catch (RuntimeException e) {
            LOG.warn("preparing the newest version of registry {} ahead failed: {}", key.registry(), e.toString(), e);
        }
    }

    /** One pointer read; a move is checked, loaded and published. Never throws, so the schedule keeps running. */
    private void watch() {
        try {
            Optional<ServingModel<TreeScorer>> now = tracker.refresh();
            if (now.isEmpty()) {
                return;
            }
            Serving current = serving.get();
            if (current == null || !current.version().equals(now.get().version())) {
                ServingModel<TreeScorer> model = now.get();
                serving.set(new Serving(model.version(), new Predictor(model.model(), schema,
                        model.version().toString(), -1, Instant.EPOCH, key.explain())));
                LOG.info("real-time scoring with {} from now on in this JVM (was {})", model.version(),
                        current == null ? "no model" : current.version());
            }
        } catch (RuntimeException e) {
            LOG.warn("watching registry {} failed ({}); {} keeps serving", key.registry(), e.toString(),
                    serving().map(s -> s.version().toString()).orElse("no model"));
        }
    }
}
