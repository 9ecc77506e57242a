package dev.streamtree.streaming.realtime;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.streaming.KafkaRecords;
import dev.streamtree.streaming.StreamingJobMain;
import dev.streamtree.streaming.TestEvents;
import dev.streamtree.streaming.TestModels;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real broker ({@link TestKafka}) and the streaming job in real-time mode ({@code --real-time}) as a separate JVM
 * ({@link StreamingJobMain}, {@code local[4]}), killed with SIGKILL ({@link Process#destroyForcibly()}) at random
 * points while events flow, {@value #KILLS} times, each time restarted from the same two checkpoints (lake query and
 * scoring query). At the end the lake holds every event exactly once and every event has at least one prediction
 * (predictions are at-least-once: a kill replays up to one real-time checkpoint interval).
 */
class RealTimeKillIT {

    private static final String TABLE = "streamtree_rtkill.events";
    private static final String PREDICTIONS = "streamtree_rtkill.predictions";

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final int KILLS = 3;
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(240);

    @TempDir
    Path work;

    @Test
    void realTimeModeKeepsEveryEventInTheLakeOnceAndScoredAfterRepeatedSigkills() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        System.out.println("RealTimeKillIT random seed " + seed);
        try (TestKafka kafka = TestKafka.start()) {
            kafka.createTopics(2, List.of("rtkill.events"));
            kafka.createTopics(1, List.of("rtkill.dlq", "rtkill.predictions"));
            SparkSession spark = SparkSession.builder().master("local[1]").appName("RealTimeKillIT")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1").getOrCreate();
            new LakeTables(CatalogKind.LOCAL, work.resolve("lake").toString(), null)
                    .qualified(spark.sparkContext().hadoopConfiguration()).configure(spark);
            try {
                FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                        spark.sparkContext().hadoopConfiguration());
                TestEvents training = new TestEvents(SCHEMA, 7, Instant.parse("2024-04-01T00:00:00Z"));
                registry.promote(TestModels.train(spark, registry, SCHEMA, TreeParams.of(3, 1), 1000, training::json),
                        "RealTimeKillIT model");

                AtomicInteger sent = new AtomicInteger();
                AtomicBoolean producing = new AtomicBoolean(true);
                Thread producer = new Thread(() -> produce(kafka.bootstrapServers(), sent, producing), "realtime-kill-it-producer");
                producer.setDaemon(true);
                producer.start();

                int kills = 0;
                for (int run = 0; run < KILLS; run++) {
                    Path log = work.resolve("run-" + run + ".log");
                    Process job = startJob(kafka.bootstrapServers(), log);
                    try {
                        awaitLog(log, "MicroBatchProcessor: lake batch ", job);
                        awaitLog(log, "real-time scoring with ", job);
                        Thread.sleep(random.nextInt(3000));
                        assertThat(job.isAlive()).as("job alive before kill " + run + "; log " + tail(log)).isTrue();
                    } finally {
                        job.destroyForcibly();
                        job.waitFor();
                    }
                    kills++;
                    System.out.println("RealTimeKillIT: killed run " + run + " after " + sent.get() + " events sent; "
                            + batchLines(log) + " batch lines in its log");
                }
                producing.set(false);
                producer.join(Duration.ofSeconds(60).toMillis());
                assertThat(producer.isAlive()).isFalse();
                final int events = sent.get();
                assertThat(events).isPositive();

                Path log = work.resolve("final.log");
                Process job = startJob(kafka.bootstrapServers(), log);
                try {
                    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos() * 2;
                    while (lakeCount(spark) < events) {
                        assertThat(job.isAlive()).as("final run alive; log " + tail(log)).isTrue();
                        assertThat(System.nanoTime()).as("lake incomplete: " + lakeCount(spark)).isLessThan(deadline);
                        Thread.sleep(3000);
                    }
                    Thread.sleep(3000);
                    Dataset<Row> lake = spark.table(TABLE);
                    assertThat(lake.count()).as("lake rows").isEqualTo(events);
                    assertThat(lake.select("id").distinct().count()).as("distinct ids").isEqualTo(events);

                    Set<String> scored = new HashSet<>();
                    long predictions = 0;
                    long predictionDeadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
                    while (scored.size() < events && System.nanoTime() < predictionDeadline) {
                        scored.clear();
                        predictions = 0;
                        for (ConsumerRecord<byte[], byte[]> r
                                : KafkaRecords.toEnd(kafka.bootstrapServers(), "rtkill.predictions")) {
                            scored.add(Prediction.parse(new String(r.value(), StandardCharsets.UTF_8)).eventId());
                            predictions++;
                        }
                        Thread.sleep(2000);
                    }
                    assertThat(scored).as("events with at least one prediction").hasSize(events);
                    // The landing query lands each prediction record once, through the kills of its batches too.
                    long landed = 0;
                    long landingDeadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
                    while ((landed = spark.table(PREDICTIONS).count()) < predictions
                            && System.nanoTime() < landingDeadline) {
                        assertThat(job.isAlive()).as("final run alive; log " + tail(log)).isTrue();
                        Thread.sleep(2000);
                    }
                    assertThat(landed).as("predictions table rows: one per record of the predictions topic")
                            .isEqualTo(predictions);
                    assertThat(spark.table(PREDICTIONS).select("event_id").distinct().count())
                            .as("events with a landed prediction").isEqualTo(events);
                    System.out.println("RealTimeKillIT: " + kills + " kills survived, " + events + " events, lake rows "
                            + lake.count() + ", predictions " + predictions + " (" + (predictions - events)
                            + " duplicates from replays), all landed, log " + batchLines(log) + " batches in the final run");
                } finally {
                    job.destroy();
                    job.waitFor();
                }
            } finally {
                spark.stop();
            }
        }
    }

    /** Rows the lake table holds (committed snapshots only); 0 before the job first created it. */
    private long lakeCount(SparkSession spark) {
        if (!Files.isDirectory(work.resolve("lake/streamtree_rtkill/events/metadata"))) {
            return 0;
        }
        return spark.table(TABLE).count();
    }

    /** Sends events at about 50 per second while {@code producing} is set. */
    private static void produce(String servers, AtomicInteger sent, AtomicBoolean producing) {
        Properties props = new Properties();
        props.put("bootstrap.servers", servers);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("linger.ms", "5");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            while (producing.get()) {
                for (int k = 0; k < 25; k++) {
                    int i = sent.get();
                    producer.send(new ProducerRecord<>("rtkill.events", "k-" + i, event(i))).get();
                    sent.incrementAndGet();
                }
                Thread.sleep(500);
            }
        } catch (Exception e) {
            throw new IllegalStateException("producer failed after " + sent.get() + " events", e);
        }
    }

    private static String event(int i) {
        return "{\"id\":\"k-" + i + "\",\"event_time\":\"2024-08-01T0" + (i % 3) + ":" + String.format("%02d", i % 60)
                + ":00Z\",\"salary\":" + (20000 + (i * 7919) % 130000) + ",\"commission\":" + (i % 7) * 1000
                + ",\"age\":" + (20 + (i * 31) % 60) + ",\"elevel\":\"" + (i % 5) + "\",\"car\":\"" + (1 + i % 20)
                + "\",\"zipcode\":\"" + (i % 9) + "\",\"hvalue\":" + (i * 37) % 1500000 + ",\"hyears\":" + (1 + i % 30)
                + ",\"loan\":" + (i * 113) % 500000 + "}";
    }

    private Process startJob(String servers, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(command::add);
        command.addAll(List.of("-Xmx1g", "-Dspark.master=local[4]", "-Dspark.ui.enabled=false",
                "-Dspark.sql.shuffle.partitions=2", "-cp", System.getProperty("java.class.path"),
                StreamingJobMain.class.getName(),
                "--bootstrap-servers", servers, "--events-topic", "rtkill.events", "--dlq-topic", "rtkill.dlq",
                "--predictions-topic", "rtkill.predictions", "--lake", work.resolve("lake").toString(),
                "--registry", work.resolve("registry").toString(), "--checkpoint", work.resolve("checkpoint").toString(),
                "--database", "streamtree_rtkill", "--table", "events", "--trigger-interval", "1s",
                "--max-offsets-per-trigger", "2000", "--lake-commit-interval", "1s", "--real-time", "--real-time-checkpoint-interval", "10s"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitLog(Path log, String text, Process job) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertThat(job.isAlive()).as("job exited early; log " + tail(log)).isTrue();
            assertThat(System.nanoTime()).as("no '" + text + "' in " + log + ": " + tail(log)).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    private static long batchLines(Path log) throws IOException {
        return Files.readAllLines(log).stream().filter(l -> l.contains("MicroBatchProcessor: lake batch ")).count();
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
