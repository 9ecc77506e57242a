package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.lake.maintenance.ClosedHours;
import dev.streamtree.lake.maintenance.CompactionOptions;
import dev.streamtree.lake.maintenance.LakeInventory;
import dev.streamtree.lake.maintenance.LakeMaintenance;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.cli.ScheduleCommand;
import org.apache.iceberg.catalog.TableIdentifier;
import java.util.UUID;
import dev.streamtree.common.control.ControlMessage.DriftDetected;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import dev.streamtree.retrain.schedule.StatusWaiter;
import dev.streamtree.retrain.schedule.TriggerPolicy;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drift-triggered and bootstrap retrains against a real broker and a real local Spark: the lake is written by the
 * real lake writer and catalog while the scheduler runs, detections are published on the control topic as the
 * monitor publishes them.
 */
class DriftRetrainIT {

    private static final String DATABASE = "drift_it";
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    static Path dir;

    static TestKafka kafka;
    static SparkSession spark;
    static EventSchema schema;
    static AgrawalLake lake;
    static FileSystemModelRegistry registry;
    static RetrainConfig config;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        kafka.createTopics(2, List.of("streamtree.control"));
        spark = TestSpark.local("DriftRetrainIT");
        schema = SchemaCodec.load("builtin:agrawal");
        String lakeDir = dir.resolve("lake").toString();
        lake = new AgrawalLake(spark, schema, lakeDir, DATABASE, Instant.now().minus(Duration.ofHours(3)));
        registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), spark.sparkContext().hadoopConfiguration());
        // A row window wider than the whole lake: without a change point a retrain reads every row.
        config = RetrainConfig.builder().lake(lakeDir).registry(dir.resolve("registry").toString())
                .catalog(CatalogKind.LOCAL, DATABASE, "events", null)
                .window(TrainingWindow.lastRows(1_000_000)).minRows(500)
                .grid(new SearchGrid(List.of(6), List.of(1), List.of("gini")))
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void bootstrapThenOneRetrainPerDriftOnPostChangeRowsOnlyWithTheCooldownHeld() throws Exception {
        TriggerPolicy policy = new TriggerPolicy(true, 500, Duration.ofMinutes(5), Duration.ofMinutes(2), true, 500,
                Duration.ofMillis(200));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        RetrainJob job = RetrainJob.create(spark, config);
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = RetrainScheduler.forJob(job, channel, null, policy).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            // No model serves: the worker warms the retrain up on synthetic rows first, and stores nothing.
            scheduler.warmedUp().get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(registry.versions()).as("versions after the warm-up").isEmpty();
            try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(
                    java.nio.file.Path.of(System.getProperty("java.io.tmpdir")))) {
                assertThat(left.filter(p -> p.getFileName().toString().startsWith("streamtree-warm-up")))
                        .as("the warm-up's temporary model directory is deleted").isEmpty();
            }

            // Bootstrap: 300 rows are below the minimum; at 600 the first model is trained on all of them.
            lake.append(300, 1, 11);
            lake.append(300, 1, 12);
            RetrainStatus first = awaitFinal(watcher, id -> id.startsWith("bootstrap-"));
            assertThat(first.status()).as(first.detail()).isEqualTo(Status.PROMOTED);
            ModelMetadata bootstrap = registry.metadata(VersionId.parse(first.version()));
            assertThat(bootstrap.trainingReason()).isEqualTo("bootstrap");
            assertThat(bootstrap.changePoint()).isNull();
            assertThat(bootstrap.trainingRows() + bootstrap.holdoutRows()).as("rows of the bootstrap model").isEqualTo(600);

            // The concept changes: function 1 until the change point, function 3 from it on.
            lake.append(2400, 1, 13);
            Instant change = lake.nextEventTime();
            lake.append(300, 3, 14);
            Instant detectedAt = Instant.now();
            DriftDetected drift = new DriftDetected(DriftDetected.idFor(first.version(), detectedAt), first.version(), "adwin",
                    detectedAt, change, true, 0.05, 0.45, 3300, 300);
            channel.publish(drift);
            // 300 post-change rows are below --drift-min-rows: the retrain waits for the next 2,700.
            lake.append(2700, 3, 15);
            RetrainStatus retrained = awaitFinal(watcher, drift.requestId()::equals);
            assertThat(retrained.status()).as(retrained.detail()).isEqualTo(Status.PROMOTED);
            assertThat(retrained.detail()).contains("(drift)", "detection to final status");
            System.out.println("drift retrain of 3,000 post-change rows, observed: " + retrained.detail());

            ModelMetadata afterDrift = registry.metadata(VersionId.parse(retrained.version()));
            assertThat(afterDrift.trainingReason()).isEqualTo("drift");
            assertThat(afterDrift.changePoint()).isEqualTo(change);
            assertThat(afterDrift.trainingRows() + afterDrift.holdoutRows())
                    .as("training + holdout rows: exactly the 3,000 rows at or after the change point, none of the 3,000 before")
                    .isEqualTo(3000);
            assertThat(afterDrift.trainingWindow()).contains("from change point " + change);
            assertThat(afterDrift.championVersion()).isEqualTo(first.version());
            assertThat(afterDrift.metrics().get("accuracy")).as("candidate on the post-change holdout")
                    .isGreaterThan(afterDrift.championMetrics().get("accuracy") + 0.1);
            assertThat(scheduler.driftRetrains()).isEqualTo(1);
            assertThat(scheduler.changePointFloor()).isEqualTo(change);

            // The same drift detected again within the cooldown, on the new version: counted, not retrained.
            Instant again = Instant.now();
            DriftDetected repeat = new DriftDetected(DriftDetected.idFor(retrained.version(), again), retrained.version(),
                    "adwin", again, change.plusSeconds(100), true, 0.1, 0.3, 500, 200);
            channel.publish(repeat);
            awaitTrue(() -> scheduler.suppressedDetections() == 1, "the repeated detection is suppressed");

            // A request after it: served, bounded by the change point, and no status ever came for the repeat.
            RetrainRequest request = new RetrainRequest("after-drift", Instant.now(), false, "it");
            channel.publish(request);
            List<RetrainStatus> seen = new ArrayList<>();
            RetrainStatus served = awaitFinal(watcher, request.requestId()::equals, seen);
            assertThat(served.status()).isIn(Status.PROMOTED, Status.KEPT);
            assertThat(seen).as("statuses between the repeat and the request's final one")
                    .noneMatch(s -> s.requestId().equals(repeat.requestId()));
            ModelMetadata onRequest = registry.metadata(VersionId.parse(served.version()));
            assertThat(onRequest.trainingReason()).isEqualTo("request");
            assertThat(onRequest.changePoint()).as("a later retrain never reads across the change").isEqualTo(change);
            assertThat(onRequest.trainingRows() + onRequest.holdoutRows()).isEqualTo(3000);
            assertThat(scheduler.driftRetrains()).isEqualTo(1);
            assertThat(registry.versions()).hasSize(3);
        }
    }

    @Test
    void aDriftWithoutEnoughPostChangeRowsIsReportedAsFailedWithTheCountAfterTheWait() throws Exception {
        TriggerPolicy policy = new TriggerPolicy(true, 500, Duration.ofSeconds(3), Duration.ofMinutes(2), false, 500,
                Duration.ofMillis(200));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        RetrainJob job = RetrainJob.create(spark, config);
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = RetrainScheduler.forJob(job, channel, null, policy).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            Instant detectedAt = Instant.now();
            Instant future = lake.nextEventTime().plus(Duration.ofDays(1));
            DriftDetected drift = new DriftDetected(DriftDetected.idFor("v000001", detectedAt), "v000001", "adwin",
                    detectedAt, future, false, 0.05, 0.4, 100, 50);
            channel.publish(drift);
            RetrainStatus status = awaitFinal(watcher, drift.requestId()::equals);
            assertThat(status.status()).isEqualTo(Status.FAILED);
            assertThat(status.detail()).isEqualTo("no drift retrain: only 0 labelled rows at or after the change point "
                    + future + " after waiting 3s; at least 500 are needed (--drift-min-rows, --drift-wait)");
            assertThat(scheduler.driftRetrains()).isZero();
        }
    }

    @Test
    void theTimerYieldsWhileADriftRetrainWaitsForItsRowsAndResumesAfter() throws Exception {
        TriggerPolicy policy = new TriggerPolicy(true, 500, Duration.ofSeconds(4), Duration.ofMinutes(2), false, 500,
                Duration.ofMillis(200));
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        // Its own registry: the timer's retrains here must not give the other tests a serving model.
        RetrainJob job = RetrainJob.create(spark, config.toBuilder().registry(dir.resolve("registry-timer").toString()).build());
        Instant detectedAt = Instant.now();
        Instant future = lake.nextEventTime().plus(Duration.ofDays(1));
        DriftDetected drift = new DriftDetected(DriftDetected.idFor("v000001", detectedAt), "v000001", "adwin",
                detectedAt, future, false, 0.05, 0.4, 100, 50);
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = RetrainScheduler.forJob(job, channel, Duration.ofMillis(500), policy)) {
            // Accepted before the timer starts, so every tick from the first one finds the drift waiting.
            assertThat(scheduler.onDrift(drift)).isTrue();
            scheduler.start();
            List<RetrainStatus> seen = new ArrayList<>();
            RetrainStatus failed = awaitFinal(watcher, drift.requestId()::equals, seen);
            assertThat(failed.status()).isEqualTo(Status.FAILED);
            assertThat(scheduler.yieldedTimerTicks()).as("ticks in the 4 s wait, one every 0.5 s").isGreaterThanOrEqualTo(4);
            RetrainStatus timerStarted = awaitStatus(watcher, s -> s.requestId().startsWith("timer-") && s.status() == Status.STARTED, seen);
            assertThat(seen).filteredOn(s -> s.requestId().startsWith("timer-"))
                    .as("no timer retrain starts while the drift retrain waits")
                    .allSatisfy(s -> assertThat(s.at()).isAfterOrEqualTo(failed.at()));
            assertThat(timerStarted.at()).isAfterOrEqualTo(failed.at());
        }
    }

    @Test
    void theSchedulerCompactsTheLakeBetweenRetrains() throws Exception {
        String lakeDir = dir.resolve("lake").toString(); // the class's lake (one session reaches one lake), own database
        AgrawalLake small = new AgrawalLake(spark, schema, lakeDir, "maint_it", Instant.now().minus(Duration.ofHours(6)));
        for (int i = 0; i < 6; i++) {
            small.append(200, 1, 30 + i); // six commits of small files, in hours closed long ago
        }
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakeDir, null).qualified(conf);
        TableIdentifier events = LakeTables.identifier("maint_it", "events");
        LakePartition firstOpen = ClosedHours.firstOpen(Instant.now(), CompactionOptions.defaults().grace());
        LakeInventory before = LakeInventory.of(tables.load(tables.catalog(conf), events), CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES);
        assertThat(before.pendingCompaction(firstOpen)).as("closed hours of small files").isNotEmpty();

        RetrainConfig maintained = config.toBuilder().lake(lakeDir).registry(dir.resolve("registry-maint").toString())
                .catalog(CatalogKind.LOCAL, "maint_it", "events", null).build();
        RetrainJob job = RetrainJob.create(spark, maintained);
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = RetrainScheduler.forJob(job, channel, null, TriggerPolicy.timerOnly())
                     .maintainedBy(ScheduleCommand.lakePass(spark, LakeMaintenance.ofLake(tables, "maint_it", "events")),
                             Duration.ofMillis(300))
                     .start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            RetrainRequest request = new RetrainRequest("maint-" + UUID.randomUUID(), Instant.now(), false, "it");
            channel.publish(request);
            RetrainStatus served = awaitFinal(watcher, request.requestId()::equals);
            assertThat(served.status()).as(served.detail()).isEqualTo(Status.PROMOTED);
            awaitTrue(() -> scheduler.maintenancePasses() >= 2, "two maintenance passes");
        }
        LakeInventory after = LakeInventory.of(tables.load(tables.catalog(conf), events), CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES);
        assertThat(after.pendingCompaction(firstOpen)).as("closed hours left to compact").isEmpty();
        assertThat(after.partitions()).as("one file per closed hour").allSatisfy(h -> assertThat(h.files()).isEqualTo(1));
        assertThat(after.partitions().stream().mapToLong(LakeInventory.HourFiles::rows).sum()).as("rows").isEqualTo(1200);
    }

    private static RetrainStatus awaitStatus(StatusWaiter watcher, java.util.function.Predicate<RetrainStatus> wanted,
                                             List<RetrainStatus> seen) {
        for (RetrainStatus s : seen) {
            if (wanted.test(s)) {
                return s;
            }
        }
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            for (RetrainStatus s : watcher.poll(Duration.ofMillis(500))) {
                seen.add(s);
                if (wanted.test(s)) {
                    return s;
                }
            }
        }
        throw new AssertionError("no such status within " + WAIT + "; saw " + seen);
    }

    private static RetrainStatus awaitFinal(StatusWaiter watcher, java.util.function.Predicate<String> id) {
        return awaitFinal(watcher, id, new ArrayList<>());
    }

    private static RetrainStatus awaitFinal(StatusWaiter watcher, java.util.function.Predicate<String> id, List<RetrainStatus> seen) {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            for (RetrainStatus s : watcher.poll(Duration.ofMillis(500))) {
                seen.add(s);
                if (id.test(s.requestId()) && s.isFinal()) {
                    return s;
                }
            }
        }
        throw new AssertionError("no final status within " + WAIT + "; saw " + seen);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
