package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelTrackerTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final VersionId V1 = new VersionId(1);
    private static final VersionId V2 = new VersionId(2);

    private final InMemoryRegistry registry = new InMemoryRegistry();
    private final List<String> loads = new CopyOnWriteArrayList<>();
    private final CountDownLatch slowLoad = new CountDownLatch(1);
    private final ModelLoader<String> loader = new ModelLoader<>() {
        @Override
        public String load(String location, ModelMetadata metadata) {
            loads.add(location);
            if (location.contains("slow")) {
                try {
                    if (!slowLoad.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("slow load never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (location.contains("timed")) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (location.contains("unreadable")) {
                throw new IllegalStateException("no such file " + location);
            }
            if (location.contains("flaky") && transientFailuresLeft.getAndDecrement() > 0) {
                throw new UncheckedIOException("cannot read model files under " + location,
                        new IOException("connection reset by peer"));
            }
            if (location.contains("not-a-tree")) {
                throw new IllegalArgumentException("stage 2_rf is a RandomForestClassificationModel, not a tree");
            }
            return "model@" + location;
        }

        @Override
        public Optional<String> problem(String model) {
            return model.contains("wrong-columns") ? Optional.of("expects other columns") : Optional.empty();
        }
    };
    private final AtomicInteger transientFailuresLeft = new AtomicInteger();
    private final List<Duration> pauses = new CopyOnWriteArrayList<>();
    private final ModelTracker.Pause recordPause = pauses::add;
    private final ModelTracker<String> tracker = new ModelTracker<>(registry, SCHEMA, loader, recordPause);

    @Test
    void servesNothingUntilAVersionIsPromoted() {
        assertThat(tracker.refresh()).isEmpty();
        assertThat(loads).isEmpty();
    }

    @Test
    void loadsOnlyWhenThePointerMoves() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        assertThat(tracker.refresh()).map(ServingModel::model).contains("model@v1");
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);

        registry.add(V2, compatible(), "v2");
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::model).contains("model@v2");

        assertThat(loads).containsExactly("v1", "v2");
        assertThat(tracker.swaps()).isEqualTo(2);
        assertThat(registry.currentReads).isEqualTo(3);
    }

    @Test
    void refusesIncompatibleUnloadableOrCorruptVersionsAndKeepsServingTheOldOne() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();

        registry.add(V2, metadata("another-fingerprint"), "v2");
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refusals()).as("a refused version is not retried while the pointer stays").isEqualTo(1);

        VersionId v3 = new VersionId(3);
        registry.add(v3, compatible(), "unreadable");
        registry.current = v3;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);

        VersionId v4 = new VersionId(4);
        registry.add(v4, compatible(), "wrong-columns");
        registry.current = v4;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);

        VersionId v5 = new VersionId(5);
        registry.add(v5, compatible(), "v5");
        registry.corrupt = v5;
        registry.current = v5;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);

        assertThat(tracker.refusals()).isEqualTo(4);
        assertThat(loads).containsExactly("v1", "unreadable", "wrong-columns");
    }

    @Test
    void aTransientLoadFailureIsRetriedWithDoublingPausesAndTheVersionServes() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "v2-flaky");
        registry.current = V2;
        transientFailuresLeft.set(3);

        assertThat(tracker.refresh()).map(ServingModel::version).as("served after three failed attempts").contains(V2);
        assertThat(loads).containsExactly("v1", "v2-flaky", "v2-flaky", "v2-flaky", "v2-flaky");
        assertThat(pauses).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(tracker.loadRetries()).isEqualTo(3);
        assertThat(tracker.refusals()).isZero();
        assertThat(tracker.registryFailures()).isZero();
    }

    @Test
    void aVersionStillUnreadableAfterTheCappedRetriesIsNotRefusedButTriedAgainNextBatch() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "v2-flaky");
        registry.current = V2;
        transientFailuresLeft.set(ModelTracker.LOAD_ATTEMPTS + 1);

        assertThat(tracker.refresh()).map(ServingModel::version).as("the old model keeps serving").contains(V1);
        assertThat(pauses).as("doubling, capped at 500 ms").containsExactly(Duration.ofMillis(100),
                Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(500));
        assertThat(tracker.refusals()).as("a transient failure is no refusal").isZero();
        assertThat(tracker.registryFailures()).isEqualTo(1);

        assertThat(tracker.refresh()).map(ServingModel::version).as("the next batch tries again").contains(V2);
        assertThat(loads.stream().filter(l -> l.equals("v2-flaky"))).hasSize(ModelTracker.LOAD_ATTEMPTS + 2);
        assertThat(tracker.loadRetries()).isEqualTo(ModelTracker.LOAD_ATTEMPTS);
    }

    @Test
    void anInvalidVersionIsRefusedAtOnceWithoutRetries() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "not-a-tree");
        registry.current = V2;

        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(loads).as("loaded once, never retried").containsExactly("v1", "not-a-tree");
        assertThat(pauses).isEmpty();
        assertThat(tracker.refusals()).isEqualTo(1);

        VersionId v3 = new VersionId(3);
        registry.add(v3, metadata("another-fingerprint"), "v3");
        registry.current = v3;
        VersionId v4 = new VersionId(4);
        registry.add(v4, compatible(), "v4");
        registry.corrupt = v4;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        registry.current = v4;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refusals()).isEqualTo(3);
        assertThat(pauses).as("schema mismatch and checksum failure are not retried").isEmpty();
        assertThat(loads).containsExactly("v1", "not-a-tree");
    }

    @Test
    void loadFailuresCausedByIoAreTransientUnlessTheFileDoesNotParse() {
        assertThat(ModelTracker.isTransient(new UncheckedIOException(new IOException("reset")))).isTrue();
        assertThat(ModelTracker.isTransient(new IllegalStateException("wrapped", new java.io.FileNotFoundException("gone"))))
                .isTrue();
        assertThat(ModelTracker.isTransient(new UncheckedIOException(
                new com.fasterxml.jackson.core.JsonParseException(null, "unexpected end")))).isFalse();
        assertThat(ModelTracker.isTransient(new IllegalArgumentException("not a tree"))).isFalse();
    }

    @Test
    void aReplayGetsTheVersionItAsksForWithoutChangingWhatServes() {
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "v2");
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V2);

        assertThat(tracker.version(V1).model()).isEqualTo("model@v1");
        assertThat(tracker.version(V2).model()).as("the serving model, not loaded again").isEqualTo("model@v2");
        assertThat(tracker.refresh()).map(ServingModel::version).as("later batches still follow the pointer").contains(V2);
        assertThat(tracker.swaps()).isEqualTo(1);
        assertThat(loads).containsExactly("v2", "v1");

        VersionId v3 = new VersionId(3);
        registry.add(v3, compatible(), "v3");
        registry.corrupt = v3;
        assertThatThrownBy(() -> tracker.version(v3)).isInstanceOf(ModelTracker.UnavailableVersionException.class)
                .hasMessage("model v000003 is invalid: corrupt version: checksum mismatch in v000003");
    }

    @Test
    void unreadableRegistryKeepsTheModelAndRetriesNextBatch() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "v2");
        registry.current = V2;
        registry.failing = true;

        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        registry.failing = false;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V2);
        assertThat(tracker.registryFailures()).isEqualTo(1);
        assertThat(tracker.refusals()).isZero();
    }

    @Test
    void aVersionPromotedAgainServesAtOnceWithoutItsMetadataOrFilesBeingReadAgain() {
        registry.add(V1, compatible(), "v1-timed");
        registry.add(V2, compatible(), "v2");
        registry.current = V1;
        assertThat(tracker.refresh()).map(ServingModel::model).contains("model@v1-timed");
        assertThat(tracker.servingLoadMillis()).as("a first load is timed").isPositive();
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::model).contains("model@v2");

        registry.current = V1;
        assertThat(tracker.refresh()).map(ServingModel::model).as("promoted again").contains("model@v1-timed");
        assertThat(tracker.servingLoadMillis()).as("nothing loaded").isZero();
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::model).as("promoted again").contains("model@v2");

        assertThat(loads).as("each version loaded once").containsExactly("v1-timed", "v2");
        assertThat(registry.metadataReads).as("each version's metadata and checksums read once").isEqualTo(2);
        assertThat(tracker.swaps()).isEqualTo(4);
        assertThat(tracker.keptSwaps()).isEqualTo(2);
    }

    @Test
    void aRollbackGoesBackToTheKeptVersionAndARefusedVersionIsNeverKeptNorServed() {
        VersionId v3 = new VersionId(3);
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "v2");
        registry.add(v3, compatible(), "not-a-tree");
        registry.current = V1;
        tracker.refresh();
        registry.current = V2;
        tracker.refresh();

        registry.current = V1;
        assertThat(tracker.refresh()).map(ServingModel::version).as("the rollback is followed").contains(V1);
        registry.current = v3;
        assertThat(tracker.refresh()).map(ServingModel::version).as("v3 refused").contains(V1);
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V2);
        registry.current = v3;
        assertThat(tracker.refresh()).map(ServingModel::version).as("v3 named again: still refused").contains(V2);
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V2);

        assertThat(loads).containsExactly("v1", "v2", "not-a-tree");
        assertThat(tracker.refusals()).isEqualTo(1);
        assertThat(tracker.swaps()).isEqualTo(4);
        assertThat(tracker.keptSwaps()).isEqualTo(2);
    }

    @Test
    void onlyTheMostRecentlyUsedVersionsAreKept() {
        for (int i = 1; i <= ModelTracker.KEPT_VERSIONS + 1; i++) {
            VersionId v = new VersionId(i);
            registry.add(v, compatible(), "v" + i);
            registry.current = v;
            assertThat(tracker.refresh()).map(ServingModel::version).contains(v);
        }
        registry.current = V1;
        assertThat(tracker.refresh()).map(ServingModel::version).as("dropped, so loaded again").contains(V1);
        VersionId newest = new VersionId(ModelTracker.KEPT_VERSIONS + 1);
        registry.current = newest;
        assertThat(tracker.refresh()).map(ServingModel::version).as("kept").contains(newest);

        assertThat(loads).containsExactly("v1", "v2", "v3", "v4", "v5", "v1");
        assertThat(tracker.keptSwaps()).isEqualTo(1);
    }

    @Test
    void theNewestVersionPreparedAheadServesWhenPromotedWithoutAnotherLoad() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "v2");

        assertThat(tracker.prepareNewest()).contains(V2);
        assertThat(loads).containsExactly("v1", "v2");
        assertThat(tracker.refresh()).map(ServingModel::version).as("preparing ahead serves nothing").contains(V1);
        assertThat(tracker.swaps()).isEqualTo(1);

        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::model).contains("model@v2");
        assertThat(tracker.prepareNewest()).as("the newest one serves: nothing to prepare").isEmpty();
        assertThat(loads).containsExactly("v1", "v2");
        assertThat(tracker.keptSwaps()).isEqualTo(1);
        assertThat(tracker.swaps()).isEqualTo(2);
    }

    @Test
    void aVersionThatFailsAheadIsNeitherRefusedNorKeptButCheckedWhenThePointerNamesIt() {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "not-a-tree");

        assertThat(tracker.prepareNewest()).isEmpty();
        assertThat(tracker.refusals()).as("preparing ahead refuses nothing").isZero();
        registry.current = V2;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refusals()).isEqualTo(1);
        assertThat(loads).as("checked again when promoted").containsExactly("v1", "not-a-tree", "not-a-tree");

        VersionId v3 = new VersionId(3);
        registry.add(v3, metadata("another-fingerprint"), "v3");
        assertThat(tracker.prepareNewest()).isEmpty();
        registry.failing = true;
        assertThat(tracker.prepareNewest()).as("an unreadable registry skips it").isEmpty();
        registry.failing = false;
        registry.current = v3;
        assertThat(tracker.refresh()).map(ServingModel::version).contains(V1);
        assertThat(tracker.refusals()).isEqualTo(2);
        assertThat(tracker.registryFailures()).isZero();
        assertThat(loads).containsExactly("v1", "not-a-tree", "not-a-tree");
    }

    @Test
    void aPromotionDuringALoadAheadWaitsForItInsteadOfLoadingAgain() throws Exception {
        registry.add(V1, compatible(), "v1");
        registry.current = V1;
        tracker.refresh();
        registry.add(V2, compatible(), "v2-slow");
        CompletableFuture<Optional<VersionId>> ahead = CompletableFuture.supplyAsync(tracker::prepareNewest);
        await(() -> loads.contains("v2-slow"));

        registry.current = V2;
        CompletableFuture<Optional<ServingModel<String>>> watch = CompletableFuture.supplyAsync(tracker::refresh);
        Thread.sleep(200);
        assertThat(watch).as("the pointer read waits for the load in progress").isNotDone();
        slowLoad.countDown();
        assertThat(watch.get(10, TimeUnit.SECONDS)).map(ServingModel::model).contains("model@v2-slow");
        assertThat(ahead.get(10, TimeUnit.SECONDS)).contains(V2);
        assertThat(loads).containsExactly("v1", "v2-slow");
        assertThat(tracker.prefetchedSwaps()).isEqualTo(1);
    }

    @Test
    void prefetchingLoadsAPromotedVersionBeforeTheNextBatchAsksForIt() throws Exception {
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "v2");
        registry.current = V1;
        try (ModelTracker<String> prefetching = new ModelTracker<>(registry, SCHEMA, loader, recordPause)
                .prefetchEvery(Duration.ofMillis(10))) {
            await(() -> loads.contains("v1"));
            assertThat(prefetching.refresh()).map(ServingModel::model).contains("model@v1");

            registry.current = V2;
            await(() -> loads.contains("v2"));
            assertThat(prefetching.refresh()).map(ServingModel::model).contains("model@v2");
            Thread.sleep(100);
            assertThat(loads).as("each version loaded once, by the prefetch thread").containsExactly("v1", "v2");
            assertThat(prefetching.swaps()).isEqualTo(2);
            assertThat(prefetching.prefetchedSwaps()).isEqualTo(2);
        }
    }

    @Test
    void aBatchStartingDuringABackgroundLoadWaitsForItInsteadOfLoadingAgain() throws Exception {
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "v2-slow");
        registry.current = V1;
        try (ModelTracker<String> prefetching = new ModelTracker<>(registry, SCHEMA, loader, recordPause)
                .prefetchEvery(Duration.ofMillis(10))) {
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            registry.current = V2;
            await(() -> loads.contains("v2-slow"));

            CompletableFuture<Optional<ServingModel<String>>> batch = CompletableFuture.supplyAsync(prefetching::refresh);
            Thread.sleep(200);
            assertThat(batch).as("the batch waits for the load in progress").isNotDone();
            slowLoad.countDown();
            assertThat(batch.get(10, TimeUnit.SECONDS)).map(ServingModel::model).contains("model@v2-slow");
            assertThat(loads).containsExactly("v1", "v2-slow");
        }
    }

    @Test
    void aVersionRefusedInTheBackgroundIsRefusedOnceAndNotLoadedAgain() throws Exception {
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "unreadable");
        registry.current = V1;
        try (ModelTracker<String> prefetching = new ModelTracker<>(registry, SCHEMA, loader, recordPause)
                .prefetchEvery(Duration.ofMillis(10))) {
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            registry.current = V2;
            await(() -> loads.contains("unreadable"));
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            Thread.sleep(100);
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            assertThat(prefetching.refusals()).isEqualTo(1);
            assertThat(loads).containsExactly("v1", "unreadable");
        }
    }

    @Test
    void aRegistryFailureDuringABackgroundLoadIsRetried() throws Exception {
        registry.add(V1, compatible(), "v1");
        registry.add(V2, compatible(), "v2");
        registry.current = V1;
        try (ModelTracker<String> prefetching = new ModelTracker<>(registry, SCHEMA, loader, recordPause)
                .prefetchEvery(Duration.ofMillis(10))) {
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            registry.failing = true;
            registry.current = V2;
            Thread.sleep(100);
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V1);
            registry.failing = false;
            await(() -> loads.contains("v2"));
            assertThat(prefetching.refresh()).map(ServingModel::version).contains(V2);
            assertThat(prefetching.refusals()).isZero();
            assertThat(prefetching.registryFailures()).isEqualTo(1);
        }
    }

    @Test
    void prefetchingStopsWhenClosed() throws Exception {
        registry.add(V1, compatible(), "v1");
        ModelTracker<String> prefetching = new ModelTracker<>(registry, SCHEMA, loader, recordPause).prefetchEvery(Duration.ofMillis(10));
        await(() -> registry.currentReads > 0);
        prefetching.close();
        Thread.sleep(50);
        int reads = registry.currentReads;
        registry.current = V1;
        Thread.sleep(100);
        assertThat(registry.currentReads).isEqualTo(reads);
        assertThat(loads).isEmpty();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(5);
        }
    }

    private static ModelMetadata compatible() {
        return metadata(SCHEMA.fingerprint());
    }

    private static ModelMetadata metadata(String fingerprint) {
        return new ModelMetadata(Instant.EPOCH, fingerprint, SCHEMA.featureNames(), SCHEMA.label().classes(), "test",
                100, 10, Map.of(), Map.of(), Map.of(), Map.of(), null, "4.1.0", "test");
    }

    /** Just enough registry for the tracker: versions with metadata and a location, a movable pointer. */
    private static final class InMemoryRegistry implements ModelRegistry {
        final Map<VersionId, ModelMetadata> metadata = new ConcurrentHashMap<>();
        final Map<VersionId, String> locations = new ConcurrentHashMap<>();
        volatile VersionId current;
        volatile VersionId corrupt;
        volatile boolean failing;
        volatile int currentReads;
        volatile int metadataReads;

        void add(VersionId version, ModelMetadata meta, String location) {
            metadata.put(version, meta);
            locations.put(version, location);
        }

        @Override
        public Optional<VersionId> current() {
            currentReads++;
            return Optional.ofNullable(current);
        }

        @Override
        public ModelMetadata metadata(VersionId version) {
            metadataReads++;
            if (failing) {
                throw new RegistryException("storage unavailable");
            }
            if (version.equals(corrupt)) {
                throw new CorruptVersionException("checksum mismatch in " + version);
            }
            return metadata.get(version);
        }

        @Override
        public String modelLocation(VersionId version) {
            return locations.get(version);
        }

        @Override
        public PendingVersion stage() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<VersionId> versions() {
            if (failing) {
                throw new RegistryException("storage unavailable");
            }
            return metadata.keySet().stream().sorted().toList();
        }

        @Override
        public void promote(VersionId version, String reason) {
            current = version;
        }

        @Override
        public VersionId rollback(String reason) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Promotion> history() {
            return List.of();
        }
    }
}
