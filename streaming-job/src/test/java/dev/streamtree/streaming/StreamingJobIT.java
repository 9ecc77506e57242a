package dev.streamtree.streaming;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.progress.StreamingStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static dev.streamtree.streaming.KafkaRecords.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a real Kafka broker ({@link TestKafka}) and a local Spark session, and runs the streaming job end to end:
 * lake rows through the catalog, dead letters, predictions across a model promotion, restart after a crash.
 */
class StreamingJobIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    private static TestKafka kafka;
    private static SparkSession spark;
    private static KafkaProducer<String, String> producer;

    @TempDir
    Path work;
    /** One lake (Iceberg warehouse) for the class: the session's spark_catalog serves one; tests use their own tables. */
    @TempDir
    static Path lakes;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        spark = TestSpark.local("StreamingJobIT");
        new LakeTables(CatalogKind.LOCAL, lakes.toString(), null).qualified(spark.sparkContext().hadoopConfiguration())
                .configure(spark);
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        props.put("linger.ms", "5");
        producer = new KafkaProducer<>(props);
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        spark.stop();
        kafka.close();
    }

    @Test
    void lakeDeadLettersAndPredictionsAcrossAModelPromotion() throws Exception {
        Topics topics = topics("swap");
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        StreamingConfig config = config(topics, "swap_events").withDecisionPaths();
        TestEvents events = new TestEvents(SCHEMA, 1, Instant.parse("2024-05-01T22:00:00Z"));
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 3000, trainingEvents(11));
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(4, 1), 3000, trainingEvents(12));

        StreamingJob job = StreamingJob.start(spark, config, registry);
        try {
            // Phase 1, no model yet: good events around four bad records; all good ones reach the lake, none is scored.
            send(topics, events, 0, 250);
            Map<String, String> bad = new TreeMap<>();
            bad.put("bad-json", "{\"id\": \"bad-json\", \"salary\": ");
            bad.put("bad-type", events.json("bad-type", 1).replaceFirst("\"salary\":[0-9.]+", "\"salary\":\"lots\""));
            bad.put("bad-category", events.json("bad-category", 2).replaceFirst("\"car\":\"[0-9]+\"", "\"car\":\"99\""));
            bad.forEach((key, value) -> producer.send(new ProducerRecord<>(topics.events(), key, value)));
            producer.send(new ProducerRecord<>(topics.events(), "tombstone", null));
            send(topics, events, 250, 500);
            await(() -> job.status().eventsRead() >= 504, job, "phase 1 read");
            StreamingStatus noModel = job.status();
            assertThat(noModel.eventsToLake()).isEqualTo(500);
            assertThat(noModel.deadLetters()).isEqualTo(4);
            assertThat(noModel.unscoredEvents()).isEqualTo(500);
            assertThat(noModel.predictions()).isZero();
            assertThat(noModel.modelVersion()).isNull();

            // Phase 2: promote v1, stream; promote v2 while events keep flowing.
            registry.promote(first, "test: first model");
            send(topics, events, 500, 1250);
            await(() -> job.status().predictions() > 0, job, "first predictions");
            registry.promote(second, "test: hot swap");
            send(topics, events, 1250, 2000);
            await(() -> job.status().predictions() >= 1500, job, "all predictions");

            StreamingStatus done = job.status();
            assertThat(done.eventsToLake()).isEqualTo(2000);
            assertThat(done.modelVersion()).isEqualTo(second.toString());
            assertThat(done.modelSwaps()).isEqualTo(2);
            assertThat(job.query().isActive()).isTrue();

            job.commitLake();
            Dataset<Row> lake = spark.table(job.tableName());
            assertThat(lake.count()).isEqualTo(2000);
            assertThat(lake.select(SCHEMA.idField()).distinct().count()).isEqualTo(2000);
            assertThat(lake.where("id = 'e-1999'").select("event_date", "event_hour").first())
                    .isEqualTo(RowFactory.create("2024-05-03", 7));

            List<Prediction> predictions = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : readAll(topics.predictions(), 1500)) {
                Prediction prediction = Prediction.parse(new String(record.value(), StandardCharsets.UTF_8));
                assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(prediction.eventId());
                predictions.add(prediction);
            }
            assertThat(predictions).hasSize(1500);
            Set<String> expectedIds = Stream.iterate(500, i -> i + 1).limit(1500).map(i -> "e-" + i).collect(Collectors.toSet());
            assertThat(predictions.stream().map(Prediction::eventId).collect(Collectors.toSet())).isEqualTo(expectedIds);
            Map<Long, Set<String>> versionsByBatch = new TreeMap<>();
            predictions.forEach(p -> versionsByBatch.computeIfAbsent(p.batchId(), b -> new HashSet<>()).add(p.modelVersion()));
            assertThat(versionsByBatch.values()).allMatch(v -> v.size() == 1);
            List<String> versionOrder = versionsByBatch.values().stream().map(v -> v.iterator().next()).toList();
            assertThat(versionOrder).first().isEqualTo(first.toString());
            assertThat(versionOrder).last().isEqualTo(second.toString());
            assertThat(versionOrder).isSortedAccordingTo(Comparator.naturalOrder());
            Prediction sample = predictions.get(0);
            assertThat(sample.probabilities().keySet()).containsExactly("A", "B");
            assertThat(sample.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0,
                    org.assertj.core.data.Offset.offset(1e-9));
            assertThat(sample.predictedClass()).isIn("A", "B");
            assertThat(predictions).allSatisfy(p -> assertThat(p.decisionPath()).isNotEmpty()
                    .allMatch(step -> step.matches("[a-z]+ (<=|>|in) .+")));
            assertThat(sample.eventTime()).isEqualTo(Instant.parse("2024-05-01T22:00:00Z")
                    .plusSeconds(60L * Integer.parseInt(sample.eventId().substring(2))));
            long correct = predictions.stream().filter(p -> p.modelVersion().equals(second.toString()))
                    .filter(p -> p.predictedClass().equals(labelOf(events, p.eventId()))).count();
            assertThat(correct).as("v2 predictions matching the label rule").isGreaterThan(
                    predictions.stream().filter(p -> p.modelVersion().equals(second.toString())).count() * 8 / 10);

            Map<String, ConsumerRecord<byte[], byte[]>> deadLetters = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : readAll(topics.deadLetters(), 4)) {
                deadLetters.put(new String(record.key(), StandardCharsets.UTF_8), record);
            }
            assertThat(deadLetters).containsOnlyKeys("bad-json", "bad-type", "bad-category", "tombstone");
            assertThat(deadLetters.get("bad-json").value()).isEqualTo(bad.get("bad-json").getBytes(StandardCharsets.UTF_8));
            assertThat(deadLetters.get("tombstone").value()).isNull();
            assertThat(header(deadLetters.get("bad-json"), DeadLetterHeaders.REASON)).startsWith("malformed JSON");
            assertThat(header(deadLetters.get("bad-type"), DeadLetterHeaders.REASON))
                    .isEqualTo("field 'salary' must be a number, got string \"lots\"");
            assertThat(header(deadLetters.get("bad-category"), DeadLetterHeaders.REASON))
                    .startsWith("field 'car' has unknown category '99'");
            assertThat(header(deadLetters.get("tombstone"), DeadLetterHeaders.REASON)).contains("tombstone");
            ConsumerRecord<byte[], byte[]> badType = deadLetters.get("bad-type");
            assertThat(header(badType, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.events());
            assertThat(Integer.parseInt(header(badType, DeadLetterHeaders.SOURCE_PARTITION))).isBetween(0, 1);
            assertThat(Long.parseLong(header(badType, DeadLetterHeaders.SOURCE_OFFSET))).isNotNegative();
            assertThat(Instant.parse(header(badType, DeadLetterHeaders.FAILED_AT))).isBefore(Instant.now());

            // Phase 3: a rollback is a pointer move like any other; the running query follows it back to v1.
            assertThat(registry.rollback("test: rollback")).isEqualTo(first);
            send(topics, events, 2000, 2300);
            await(() -> job.status().predictions() >= 1800, job, "predictions after the rollback");
            assertThat(job.status().modelVersion()).isEqualTo(first.toString());
            assertThat(job.status().modelSwaps()).isEqualTo(3);
            assertThat(job.query().isActive()).isTrue();
            Map<String, Set<String>> versionsById = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> record : readAll(topics.predictions(), 1800)) {
                Prediction p = Prediction.parse(new String(record.value(), StandardCharsets.UTF_8));
                versionsById.computeIfAbsent(p.eventId(), id -> new HashSet<>()).add(p.modelVersion());
            }
            assertThat(versionsById).hasSize(1800);
            for (int i = 2000; i < 2300; i++) {
                assertThat(versionsById.get("e-" + i)).as("e-%d after the rollback", i).containsExactly(first.toString());
            }
        } finally {
            job.stop();
        }
    }

    @Test
    void restartAfterACrashMidStreamLeavesEveryEventInTheLakeOnce() throws Exception {
        Topics topics = topics("crash");
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        StreamingConfig config = config(topics, "crash_events").withTrigger(Duration.ofMillis(500), 150);
        TestEvents events = new TestEvents(SCHEMA, 2, Instant.parse("2024-06-01T00:00:00Z"));
        String table = "streamtree_it.crash_events";

        send(topics, events, 0, 1500);
        StreamingJob first = StreamingJob.start(spark, config, registry);
        await(() -> first.status().batches() >= 3, first, "first batches");
        first.stop();
        long lastBatch = first.status().lastBatchId();

        // Simulate a crash after the newest planned batch reached the lake (stop commits its journal entry) but
        // before Spark recorded it: no Spark commit, so the restart replays that batch, which must write nothing.
        long replayed;
        try (Stream<Path> planned = Files.list(Path.of(config.checkpoint(), "offsets"))) {
            replayed = planned.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).max().orElseThrow();
        }
        assertThat(replayed).isGreaterThanOrEqualTo(lastBatch);
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", Long.toString(replayed)));
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", "." + replayed + ".crc"));
        long before = spark.table(table).count();

        StreamingJob second = StreamingJob.start(spark, config, registry);
        try {
            send(topics, events, 1500, 2000);
            await(() -> second.status().eventsToLake() >= 2000 - before && second.status().lastBatchId() > replayed,
                    second, "the rest written");
            second.commitLake();
            assertThat(second.status().eventsToLake()).as("rows the restart wrote: none for the replayed batch")
                    .isEqualTo(2000 - before);
            Dataset<Row> lake = spark.table(table);
            assertThat(lake.count()).isEqualTo(2000);
            assertThat(lake.select(SCHEMA.idField()).distinct().count()).isEqualTo(2000);
            assertThat(second.status().deadLetters()).isZero();
        } finally {
            second.stop();
        }
    }

    @Test
    void aBatchReplayedAfterAPromotionIsScoredByTheVersionOfItsFirstAttempt() throws Exception {
        Replay replay = firstRunThenLoseTheLastCommit("replay", 3);
        Topics topics = replay.topics();
        StreamingConfig config = replay.config();
        VersionId first = replay.first();
        VersionId second = replay.second();
        long replayed = replay.batchId();
        long inReplayedBatch = replay.firstRunPredictions();
        replay.registry().promote(second, "test: promoted while the job was down");

        StreamingJob after = StreamingJob.start(spark, config, replay.registry());
        try {
            send(topics, replay.events(), 600, 900);
            await(() -> after.status().lastBatchId() > replayed && after.status().predictions() >= inReplayedBatch + 300,
                    after, "the replay and the new events scored");
            List<Prediction> all = predictions(readAll(topics.predictions(), (int) (900 + inReplayedBatch)));

            // At least once: every attempt of batch N sends its predictions, and every attempt carries the first's version.
            assertThat(all.stream().filter(p -> p.batchId() == replayed).toList())
                    .as("batch %d, sent by both attempts", replayed).hasSizeGreaterThanOrEqualTo((int) (2 * inReplayedBatch))
                    .allMatch(p -> p.modelVersion().equals(first.toString()));
            assertThat(all.stream().map(p -> List.of(p.eventId(), p.modelVersion(), p.batchId())).distinct())
                    .as("predictions after de-duplication on (event_id, model_version, batch_id)").hasSize(900);
            List<Prediction> later = all.stream().filter(p -> Integer.parseInt(p.eventId().substring(2)) >= 600).toList();
            assertThat(later.stream().map(Prediction::eventId).distinct()).as("new events scored").hasSize(300);
            assertThat(later).as("new events, scored by the promoted version")
                    .allMatch(p -> p.modelVersion().equals(second.toString()) && p.batchId() > replayed);
            assertThat(Path.of(config.checkpoint(), "_streamtree", "batch-versions", Long.toString(replayed)))
                    .hasContent(first.toString());
        } finally {
            after.stop();
        }
    }

    @Test
    void aReplayWhoseFirstVersionIsNoLongerValidIsScoredByTheCurrentModel() throws Exception {
        Replay replay = firstRunThenLoseTheLastCommit("fallback", 4);
        replay.registry().promote(replay.second(), "test: promoted while the job was down");
        // The first attempt's version no longer passes its checksum check, so the replay cannot load it.
        Path metadata = Path.of(java.net.URI.create(replay.registry().versionLocation(replay.first())))
                .resolve(FileSystemModelRegistry.METADATA_FILE);
        Files.writeString(metadata, Files.readString(metadata) + " ");
        long replayed = replay.batchId();

        StreamingJob after = StreamingJob.start(spark, replay.config(), replay.registry());
        try {
            await(() -> after.status().lastBatchId() >= replayed
                            && after.status().predictions() >= replay.firstRunPredictions(),
                    after, "the replay scored");
            List<Prediction> all = predictions(readAll(replay.topics().predictions(),
                    (int) (600 + replay.firstRunPredictions())));
            assertThat(all.stream().filter(p -> p.batchId() == replayed).map(Prediction::modelVersion).distinct())
                    .as("batch %d: the first attempt's version, then the current one", replayed)
                    .containsExactlyInAnyOrder(replay.first().toString(), replay.second().toString());
            assertThat(after.status().modelVersion()).isEqualTo(replay.second().toString());
        } finally {
            after.stop();
        }
    }

    /** A job's checkpoint and predictions after a crash between a batch's Kafka write and Spark's commit of it. */
    private record Replay(Topics topics, StreamingConfig config, FileSystemModelRegistry registry, TestEvents events, VersionId first, VersionId second,
                          long batchId, long firstRunPredictions) {
    }

    /**
     * Trains two versions, runs the job with the first over 600 events, stops it once all are scored, and deletes
     * the commit of the newest planned batch: the next start replays that batch.
     */
    private Replay firstRunThenLoseTheLastCommit(String name, long seed) throws Exception {
        Topics topics = topics(name);
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        StreamingConfig config = config(topics, name + "_events").withTrigger(Duration.ofMillis(500), 150);
        TestEvents events = new TestEvents(SCHEMA, seed, Instant.parse("2024-07-01T00:00:00Z"));
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 1000, trainingEvents(21));
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(3, 1), 1000, trainingEvents(22));
        registry.promote(first, "test: first model");

        send(topics, events, 0, 600);
        StreamingJob before = StreamingJob.start(spark, config, registry);
        await(() -> before.status().predictions() >= 600, before, "the first run's predictions");
        before.stop();

        // Every sent event was read, so the newest planned batch is the last one with data and its predictions are
        // all out. Losing its commit is a crash after the predictions were sent but before Spark committed the
        // batch: the restart replays it.
        long replayed;
        try (Stream<Path> planned = Files.list(Path.of(config.checkpoint(), "offsets"))) {
            replayed = planned.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).max().orElseThrow();
        }
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", Long.toString(replayed)));
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", "." + replayed + ".crc"));
        List<Prediction> firstRun = predictions(KafkaRecords.toEnd(kafka.bootstrapServers(), topics.predictions()));
        assertThat(firstRun).hasSize(600).allMatch(p -> p.modelVersion().equals(first.toString()));
        long inReplayedBatch = firstRun.stream().filter(p -> p.batchId() == replayed).count();
        assertThat(inReplayedBatch).as("predictions of batch %d in the first run", replayed).isPositive();
        return new Replay(topics, config, registry, events, first, second, replayed, inReplayedBatch);
    }

    private static List<Prediction> predictions(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> Prediction.parse(new String(r.value(), StandardCharsets.UTF_8))).toList();
    }

    private StreamingConfig config(Topics topics, String table) {
        return StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(lakes.toString(), work.resolve("registry").toString(),
                        work.resolve("checkpoint").toString())
                .withTable("streamtree_it", table)
                .withTrigger(Duration.ofSeconds(1), 0);
    }

    private static Topics topics(String prefix) {
        Topics topics = new Topics(prefix + ".events", prefix + ".dlq", prefix + ".predictions", prefix + ".control");
        kafka.createTopics(2, List.of(topics.events()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        return topics;
    }

    private static void send(Topics topics, TestEvents events, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topics.events(), "e-" + i, events.json("e-" + i, i)));
        }
        producer.flush();
    }

    /** Fresh labelled events for training, {@code seed} making each model's training set different. */
    private static TestModels.EventJson trainingEvents(long seed) {
        return new TestEvents(SCHEMA, seed, Instant.parse("2024-04-01T00:00:00Z"))::json;
    }

    private static String labelOf(TestEvents unused, String eventId) {
        // TestEvents is seeded: regenerate the same sequence to find the event's label.
        TestEvents replay = new TestEvents(SCHEMA, 1, Instant.parse("2024-05-01T22:00:00Z"));
        int n = Integer.parseInt(eventId.substring(2));
        String json = null;
        for (int i = 0; i <= n; i++) {
            json = replay.json("e-" + i, i);
            if (i == 250) {
                replay.json("bad-type", 1);
                replay.json("bad-category", 2);
            }
        }
        return json.contains("\"label\":\"A\"") ? "A" : "B";
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        return KafkaRecords.atLeast(kafka.bootstrapServers(), topic, expected);
    }

    private static void await(BooleanSupplier condition, StreamingJob job, String what) throws InterruptedException {
        JobAwait.until(job, TIMEOUT, what, StreamingJob::isKafkaMetricsReplayBug, condition);
    }
}
