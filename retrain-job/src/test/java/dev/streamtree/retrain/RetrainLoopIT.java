package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.control.ControlMessage.RetrainRequest;
import dev.streamtree.common.control.ControlMessage.RetrainStatus;
import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import dev.streamtree.retrain.schedule.StatusWaiter;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retrain loop against a real broker and a real local Spark: lake written by the real lake writer and
 * catalog, registry on a temp directory. The tests run in order and share the lake and registry.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainLoopIT {

    private static final int ROWS = 3000;
    private static final String DATABASE = "retrain_it";

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
        spark = TestSpark.local("RetrainLoopIT");
        schema = SchemaCodec.load("builtin:agrawal");
        String lakeDir = dir.resolve("lake").toString();
        lake = new AgrawalLake(spark, schema, lakeDir, DATABASE, Instant.now().minus(Duration.ofHours(20)));
        registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), spark.sparkContext().hadoopConfiguration());
        config = RetrainConfig.builder().lake(lakeDir).registry(dir.resolve("registry").toString())
                .catalog(CatalogKind.LOCAL, DATABASE, "events", null)
                .window(TrainingWindow.lastRows(ROWS)).minRows(500)
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

    private static RetrainOutcome retrain(RetrainConfig c) {
        return RetrainJob.run(spark, c);
    }

    private static String[] cli(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--lake", config.lake(), "--registry", config.registry(), "--database", DATABASE,
                "--max-depths", "6", "--min-instances", "1", "--impurities", "gini"));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    @Test
    @Order(1)
    void trainsOnLakeDataAndPromotesTheFirstVersion() throws Exception {
        lake.append(ROWS, 1, 11);

        RetrainOutcome outcome = retrain(config);

        assertThat(outcome.promoted()).isTrue();
        assertThat(outcome.candidate()).hasToString("v000001");
        assertThat(outcome.champion()).isEmpty();
        assertThat(outcome.candidateMetrics().accuracy()).isGreaterThan(0.9);
        assertThat(outcome.candidateMetrics().aucIfBinary()).isPresent();
        assertThat(registry.current()).contains(VersionId.parse("v000001"));
        var metadata = registry.metadata(VersionId.parse("v000001"));
        assertThat(metadata.trainingRows() + metadata.holdoutRows()).isEqualTo(ROWS);
        assertThat(metadata.holdoutRows()).isBetween(ROWS * 15L / 100, ROWS * 25L / 100);
        assertThat(metadata.schemaFingerprint()).isEqualTo(schema.fingerprint());
        assertThat(metadata.championVersion()).isNull();
        String tree = registry.versionFile(VersionId.parse("v000001"), "tree.txt").orElseThrow();
        assertThat(tree).contains("if age ", "predict A").doesNotContain("feature ");
        assertThat(registry.versionFile(VersionId.parse("v000001"), "tree.dot").orElseThrow()).startsWith("digraph tree {");
        assertThat(outcome.summary()).startsWith("PROMOTED v000001").contains("champion:   none");
    }

    @Test
    @Order(2)
    void retrainOnDriftedDataBeatsTheChampionAndIsPromoted() {
        lake.append(ROWS, 2, 12);

        RetrainOutcome outcome = retrain(config);

        assertThat(outcome.promoted()).isTrue();
        assertThat(outcome.candidate()).hasToString("v000002");
        assertThat(outcome.champion()).contains(VersionId.parse("v000001"));
        Metrics champion = outcome.championMetrics().orElseThrow();
        assertThat(outcome.candidateMetrics().accuracy()).isGreaterThan(champion.accuracy() + 0.05);
        assertThat(registry.current()).contains(VersionId.parse("v000002"));
        assertThat(registry.metadata(VersionId.parse("v000002")).championMetrics()).containsKey("accuracy");
    }

    @Test
    @Order(3)
    void candidateTrainedOnShuffledLabelsIsKeptOutByTheGate() {
        // The training part (earliest 80%) has permuted labels; the holdout (latest 20%) is clean function 2.
        lake.appendWithShuffledLabels(ROWS, ROWS * 8 / 10, 2, 13);
        StringWriter out = new StringWriter();

        int exit = RetrainJobMain.commandLine().setOut(new PrintWriter(out)).execute(cli("run", "--last-rows", String.valueOf(ROWS)));

        assertThat(exit).isEqualTo(RetrainOutcome.EXIT_KEPT);
        assertThat(registry.versions()).contains(VersionId.parse("v000003"));
        assertThat(registry.current()).contains(VersionId.parse("v000002"));
        assertThat(registry.metadata(VersionId.parse("v000003")).metrics().get("accuracy"))
                .isLessThan(registry.metadata(VersionId.parse("v000003")).championMetrics().get("accuracy") - 0.01);
    }

    @Test
    @Order(4)
    void tooFewRowsIsRefusedWithAClearMessage() {
        StringWriter err = new StringWriter();
        int exit = RetrainJobMain.commandLine().setErr(new PrintWriter(err))
                .execute(cli("run", "--last-rows", "300", "--min-rows", "500"));
        assertThat(exit).isEqualTo(RetrainOutcome.EXIT_FAILED);
        assertThat(err.toString()).startsWith("retrain-job: refusing to train: only 300 labelled rows in the last 300 rows")
                .contains("at least 500").doesNotContain("Exception");
        assertThat(registry.current()).contains(VersionId.parse("v000002"));
    }

    @Test
    @Order(5)
    void rollbackMovesThePointerBackAndModelsCommandsReportIt() {
        StringWriter out = new StringWriter();
        int exit = RetrainJobMain.commandLine().setOut(new PrintWriter(out))
                .execute("models", "rollback", "--registry", config.registry(), "--reason", "IT rollback");
        assertThat(exit).isZero();
        assertThat(registry.current()).contains(VersionId.parse("v000001"));
        assertThat(registry.history()).last().satisfies(p -> {
            assertThat(p.action()).isEqualTo("rollback");
            assertThat(p.from()).hasToString("v000002");
            assertThat(p.reason()).isEqualTo("IT rollback");
        });
    }

    @Test
    @Order(6)
    void corruptedVersionIsNeverPromotedOrLoaded() throws Exception {
        Path modelDir = Path.of(URI.create(registry.versionLocation(VersionId.parse("v000003")))).resolve("model");
        Path victim;
        try (Stream<Path> files = Files.walk(modelDir)) {
            victim = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        StringWriter err = new StringWriter();
        int exit = RetrainJobMain.commandLine().setErr(new PrintWriter(err))
                .execute("models", "promote", "v000003", "--registry", config.registry());

        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).contains("version v000003: file model/").contains("manifest says");
        assertThatThrownBy(() -> registry.modelLocation(VersionId.parse("v000003"))).isInstanceOf(CorruptVersionException.class);
        assertThat(registry.current()).contains(VersionId.parse("v000001"));

        // A corrupt champion is reported and not loaded; the retrain still completes against "no comparable champion".
        registry.promote(VersionId.parse("v000002"), "test");
        Path champion = Path.of(URI.create(registry.versionLocation(VersionId.parse("v000002")))).resolve("metadata.json");
        Files.writeString(champion, Files.readString(champion).replace("\"training_rows\"", "\"training_rowz\""));
        RetrainOutcome outcome = retrain(config.forced());
        assertThat(outcome.championMetrics()).isEmpty();
        assertThat(outcome.reason()).contains("champion v000002 cannot be evaluated");
        registry.promote(VersionId.parse("v000001"), "restore a sound champion for the scheduler test");
    }

    @Test
    @Order(7)
    void concurrentTriggersRunOneRetrainAtATimeAndEveryRequestGetsAFinalStatus() throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        RetrainJob job = RetrainJob.create(spark, config);
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = RetrainScheduler.forJob(job, channel, null).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();

            ExecutorService callers = Executors.newFixedThreadPool(3);
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sent.add(callers.submit(() -> {
                    String id = UUID.randomUUID().toString();
                    ids.add(id);
                    channel.publish(new RetrainRequest(id, Instant.now(), false, "it"));
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            callers.shutdown();

            // trigger --wait through the CLI while the others run: it must also get its own final status.
            int triggerExit = RetrainJobMain.execute("trigger", "--wait", "--timeout", "4m", "--bootstrap-servers", kafka.bootstrapServers());
            assertThat(triggerExit).isIn(RetrainOutcome.EXIT_PROMOTED, RetrainOutcome.EXIT_KEPT);

            Map<String, List<RetrainStatus>> byRequest = new HashMap<>();
            List<RetrainStatus> all = new ArrayList<>();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
            while (Instant.now().isBefore(deadline)
                    && ids.stream().anyMatch(id -> byRequest.getOrDefault(id, List.of()).stream().noneMatch(RetrainStatus::isFinal))) {
                for (RetrainStatus s : watcher.poll(Duration.ofSeconds(1))) {
                    byRequest.computeIfAbsent(s.requestId(), k -> new ArrayList<>()).add(s);
                    all.add(s);
                }
            }
            for (String id : ids) {
                List<Status> statuses = byRequest.get(id).stream().map(RetrainStatus::status).toList();
                assertThat(statuses).as("statuses of " + id).hasSize(2).startsWith(Status.STARTED);
                assertThat(statuses.get(1)).isIn(Status.PROMOTED, Status.KEPT);
            }
            // Runs never overlap: group statuses by run number and check the [started, final] intervals.
            Map<Integer, Instant[]> runs = new HashMap<>();
            Pattern run = Pattern.compile("retrain run #(\\d+)");
            for (RetrainStatus s : all) {
                Matcher m = run.matcher(s.detail());
                assertThat(m.find()).isTrue();
                Instant[] span = runs.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new Instant[2]);
                if (s.status() == Status.STARTED) {
                    span[0] = span[0] == null || s.at().isBefore(span[0]) ? s.at() : span[0];
                } else {
                    span[1] = span[1] == null || s.at().isAfter(span[1]) ? s.at() : span[1];
                }
            }
            assertThat(runs.size()).isBetween(1, 3);
            List<Instant[]> spans = runs.values().stream().sorted((a, b) -> a[0].compareTo(b[0])).toList();
            for (int i = 1; i < spans.size(); i++) {
                assertThat(spans.get(i)[0]).as("run %d starts after run %d finished", i + 1, i).isAfterOrEqualTo(spans.get(i - 1)[1]);
            }
        }
    }

    @Test
    @Order(8)
    void failedRetrainIsReportedAndTheSchedulerKeepsGoing() throws Exception {
        KafkaSettings settings = KafkaSettings.of(kafka.bootstrapServers());
        int[] calls = {0};
        RetrainOutcome fake = new RetrainOutcome(false, VersionId.parse("v000009"), Optional.empty(),
                new Metrics(0.5, 0.5, 0.5, 10), Optional.empty(), TreeParams.of(2, 1), "kept for the test", "summary");
        try (ControlChannel channel = new ControlChannel(settings, "streamtree.control");
             StatusWaiter watcher = new StatusWaiter(channel, Duration.ofSeconds(30));
             RetrainScheduler scheduler = new RetrainScheduler(batch -> {
                 int call = calls[0]++;
                 if (call == 0) {
                     throw new RetrainException("lake unreadable (test)");
                 }
                 if (call == 1) {
                     // As Spark throws its checked SparkException from Scala code.
                     throw RetrainLoopIT.<RuntimeException>sneaky(new Exception("empty dataset (test)"));
                 }
                 return fake;
             }, channel, null, "it-failing-" + UUID.randomUUID(), Clock.systemUTC()).start()) {
            assertThat(scheduler.awaitListening(Duration.ofSeconds(60))).isTrue();
            channel.publish(new RetrainRequest("fail-1", Instant.now(), false, "it"));
            RetrainStatus first = watcher.awaitFinal("fail-1", Duration.ofSeconds(60), s -> { }).orElseThrow();
            channel.publish(new RetrainRequest("fail-2", Instant.now(), false, "it"));
            RetrainStatus second = watcher.awaitFinal("fail-2", Duration.ofSeconds(60), s -> { }).orElseThrow();
            channel.publish(new RetrainRequest("fail-3", Instant.now(), false, "it"));
            RetrainStatus third = watcher.awaitFinal("fail-3", Duration.ofSeconds(60), s -> { }).orElseThrow();

            assertThat(first.status()).isEqualTo(Status.FAILED);
            assertThat(first.detail()).contains("lake unreadable (test)");
            assertThat(second.status()).isEqualTo(Status.FAILED);
            assertThat(second.detail()).contains("empty dataset (test)");
            assertThat(third.status()).isEqualTo(Status.KEPT);
            assertThat(third.version()).isEqualTo("v000009");
            assertThat(scheduler.completedRuns()).isEqualTo(3);
        }
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable failure) throws E {
        throw (E) failure;
    }
}
