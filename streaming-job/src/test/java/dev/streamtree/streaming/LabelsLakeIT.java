package dev.streamtree.streaming;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import static dev.streamtree.streaming.KafkaRecords.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming job's labels query against a real broker and real Spark: valid labels land in the labels table once
 * (also one sent before its event, and across a replayed batch), bad ones are dead-lettered with their bytes and
 * reasons while nothing else is lost.
 */
class LabelsLakeIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Duration TIMEOUT = Duration.ofSeconds(150);
    private static final Instant T0 = Instant.parse("2024-05-01T22:00:00Z");

    private static TestKafka kafka;
    private static SparkSession spark;
    private static KafkaProducer<String, String> producer;

    @TempDir
    Path work;
    @TempDir
    static Path lakes;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        spark = TestSpark.local("LabelsLakeIT");
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
    void lateLabelsLandOnceBadOnesAreDeadLetteredAndAReplayWritesNothingTwice() throws Exception {
        Topics topics = new Topics("lbl.events", "lbl.dlq", "lbl.predictions", "lbl.control", "lbl.labels",
                "lbl.model-metrics");
        kafka.createTopics(2, List.of(topics.events(), topics.labels()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(lakes.toString(), work.resolve("registry").toString(), work.resolve("checkpoint").toString())
                .withTable("lbl_it", "events")
                .withTrigger(Duration.ofMillis(500), 60);
        TestEvents events = new TestEvents(SCHEMA, 3, T0);

        // A label for e-5 before its event, then 100 events, labels for all of them, and a later label for e-0..e-9.
        label(topics, "e-5", "B", T0.plusSeconds(5));
        Map<String, String> bad = new HashMap<>();
        bad.put("bad-class", "{\"event_id\":\"bad-class\",\"label\":\"Z\",\"labelled_at\":\"2024-05-02T00:00:00Z\"}");
        bad.put("bad-json", "{\"event_id\":\"bad-json\",\"label\":");
        bad.put("bad-time", "{\"event_id\":\"bad-time\",\"label\":\"A\",\"labelled_at\":\"yesterday\"}");
        bad.forEach((key, value) -> producer.send(new ProducerRecord<>(topics.labels(), key, value)));
        for (int i = 0; i < 100; i++) {
            producer.send(new ProducerRecord<>(topics.events(), "e-" + i, events.json("e-" + i, i)));
            if (i != 5) {
                label(topics, "e-" + i, i % 2 == 0 ? "A" : "B", T0.plusSeconds(i));
            }
        }
        for (int i = 0; i < 10; i++) {
            label(topics, "e-" + i, "A", T0.plusSeconds(3600 + i));
        }
        producer.flush();

        String table = "lbl_it.labels";
        StreamingJob first = StreamingJob.start(spark, config, registry);
        try {
            assertThat(first.labelsTableName()).isEqualTo(table);
            awaitLabels(first, table, 110);
            JobAwait.until(first, TIMEOUT, "events in the lake", () -> first.status().eventsToLake() >= 100);
            // Every batch holding the 110 landed labels is done, and the three bad ones came before them.
            assertThat(first.status().labelsToLake()).as("labels counted by the job").isEqualTo(110);
            assertThat(first.status().labelDeadLetters()).as("bad labels counted by the job").isEqualTo(3);
            assertThat(first.status().summary()).contains("labels 110 (3 dead letters)");
        } finally {
            first.stop();
        }
        assertThat(spark.table(table).count()).isEqualTo(110);
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaRecords.atLeast(kafka.bootstrapServers(), topics.deadLetters(), 3);
        Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
        dead.forEach(r -> byKey.put(new String(r.key(), StandardCharsets.UTF_8), r));
        assertThat(byKey).containsOnlyKeys("bad-class", "bad-json", "bad-time");
        assertThat(byKey.get("bad-json").value()).as("original bytes").isEqualTo(bad.get("bad-json").getBytes(StandardCharsets.UTF_8));
        assertThat(header(byKey.get("bad-class"), DeadLetterHeaders.REASON)).isEqualTo("field 'label' is 'Z'; expected one of [A, B]");
        assertThat(header(byKey.get("bad-json"), DeadLetterHeaders.REASON)).startsWith("label record is malformed JSON");
        assertThat(header(byKey.get("bad-time"), DeadLetterHeaders.REASON)).startsWith("field 'labelled_at' is 'yesterday'");
        assertThat(header(byKey.get("bad-class"), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.labels());
        assertThat(Long.parseLong(header(byKey.get("bad-class"), DeadLetterHeaders.SOURCE_OFFSET))).isNotNegative();
        assertThat(Instant.parse(header(byKey.get("bad-class"), DeadLetterHeaders.FAILED_AT))).isBefore(Instant.now());

        // A crash after the newest labels batch landed but before Spark recorded it: the restart replays it.
        Path labelsCheckpoint = Path.of(StreamingJob.labelsCheckpoint(config.checkpoint()));
        long replayed;
        try (Stream<Path> planned = Files.list(labelsCheckpoint.resolve("offsets"))) {
            replayed = planned.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).max().orElseThrow();
        }
        Files.deleteIfExists(labelsCheckpoint.resolve("commits").resolve(Long.toString(replayed)));
        Files.deleteIfExists(labelsCheckpoint.resolve("commits").resolve("." + replayed + ".crc"));

        StreamingJob second = StreamingJob.start(spark, config, registry);
        try {
            for (int i = 100; i < 150; i++) {
                label(topics, "e-" + i, "B", T0.plusSeconds(i));
            }
            producer.flush();
            awaitLabels(second, table, 160);
            JobAwait.until(second, TIMEOUT, "the replay and the new labels",
                    () -> second.labelsQuery().lastProgress() != null
                            && second.labelsQuery().lastProgress().batchId() > replayed);
            second.commitLake();
            assertThat(second.status().labelsToLake()).as("the replayed batch had landed: only the 50 new labels count")
                    .isEqualTo(50);
        } finally {
            second.stop();
        }

        List<Row> rows = spark.table(table).collectAsList();
        assertThat(rows).as("every valid label once: 1 early + 99 + 10 later + 50 after the restart").hasSize(160);
        assertThat(rows.stream().map(r -> r.getString(0) + "@" + r.getTimestamp(2)).distinct()).hasSize(160);
        Row early = spark.table(table).where("event_id = 'e-5'").first();
        assertThat(early.getString(1)).isEqualTo("B");
        assertThat(((Timestamp) early.get(2)).toInstant()).isEqualTo(T0.plusSeconds(5));
        assertThat(spark.table(table).where("event_id = 'e-3'").orderBy("labelled_at").collectAsList())
                .extracting(r -> r.getString(1)).containsExactly("B", "A");
        Row partition = spark.table(table).where("event_id = 'e-9' and label = 'A'").select("labelled_date", "labelled_hour").first();
        assertThat(partition.getString(0)).isEqualTo("2024-05-01");
        assertThat(partition.getInt(1)).isEqualTo(23);
        assertThat(KafkaRecords.toEnd(kafka.bootstrapServers(), topics.deadLetters()).stream()
                .map(r -> new String(r.key(), StandardCharsets.UTF_8)).distinct())
                .as("dead letters: only the bad labels (a replay may send them again)")
                .containsExactlyInAnyOrder("bad-class", "bad-json", "bad-time");
    }

    @Test
    void everyPredictionLandsOnceAndPerVersionAccuracyInSqlEqualsADirectCount() throws Exception {
        Topics topics = new Topics("prd.events", "prd.dlq", "prd.predictions", "prd.control", "prd.labels",
                "prd.model-metrics");
        kafka.createTopics(2, List.of(topics.events(), topics.labels()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(lakes.toString(), work.resolve("registry").toString(), work.resolve("checkpoint").toString())
                .withTable("prd_it", "events")
                .withTrigger(Duration.ofMillis(500), 100);
        TestEvents events = new TestEvents(SCHEMA, 4, T0);
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(1, 1), 1000,
                new TestEvents(SCHEMA, 31, T0)::json);
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(4, 1), 1000,
                new TestEvents(SCHEMA, 32, T0)::json);
        registry.promote(first, "test: first");
        // Labels by a rule of their own, so the two versions' accuracies differ from each other and from 1.
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            labels.put("e-" + i, i % 3 == 0 ? "B" : "A");
        }

        StreamingJob job = StreamingJob.start(spark, config, registry);
        try {
            sendEvents(topics, events, 0, 200);
            JobAwait.until(job, TIMEOUT, "v1 predictions", () -> job.status().predictions() >= 200);
            registry.promote(second, "test: second");
            sendEvents(topics, events, 200, 400);
            JobAwait.until(job, TIMEOUT, "v2 predictions", () -> job.status().predictions() >= 400
                    && second.toString().equals(job.status().modelVersion()));
            labels.forEach((id, label) -> label(topics, id, label, T0.plusSeconds(7200)));
            producer.flush();
            awaitLabels(job, "prd_it.labels", 400);
        } finally {
            job.stop();
        }
        // A crash after the newest events batch landed but before Spark recorded it: the replay sends its
        // predictions again, and writes none of them to the lake again.
        long replayed;
        try (Stream<Path> planned = Files.list(Path.of(config.checkpoint(), "offsets"))) {
            replayed = planned.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d+"))
                    .mapToLong(Long::parseLong).max().orElseThrow();
        }
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", Long.toString(replayed)));
        Files.deleteIfExists(Path.of(config.checkpoint(), "commits", "." + replayed + ".crc"));
        StreamingJob again = StreamingJob.start(spark, config, registry);
        try {
            JobAwait.until(again, TIMEOUT, "the replayed batch", () -> again.status().lastBatchId() >= replayed);
            again.commitLake();
        } finally {
            again.stop();
        }

        String predictions = "prd_it.predictions";
        assertThat(spark.table(predictions).count()).as("every prediction once").isEqualTo(400);
        assertThat(spark.table(predictions).select("event_id").distinct().count()).isEqualTo(400);
        // Direct: the predictions topic, de-duplicated on (event id, version, batch id), against the labels sent.
        List<Prediction> sent = KafkaRecords.toEnd(kafka.bootstrapServers(), topics.predictions()).stream()
                .map(r -> Prediction.parse(new String(r.value(), StandardCharsets.UTF_8))).toList();
        assertThat(sent.size()).as("the replay sent its batch's predictions again").isGreaterThan(400);
        Map<String, long[]> direct = new java.util.TreeMap<>();
        sent.stream().map(p -> List.of(p.eventId(), p.modelVersion(), Long.toString(p.batchId()), p.predictedClass()))
                .distinct().forEach(p -> {
                    long[] counts = direct.computeIfAbsent(p.get(1), v -> new long[2]);
                    counts[0]++;
                    counts[1] += p.get(3).equals(labels.get(p.get(0))) ? 1 : 0;
                });
        Map<String, long[]> sql = new java.util.TreeMap<>();
        spark.sql("SELECT p.model_version, count(*) AS labelled, "
                        + "sum(CASE WHEN p.predicted_class = l.label THEN 1 ELSE 0 END) AS correct "
                        + "FROM prd_it.predictions p JOIN (SELECT event_id, max_by(label, labelled_at) AS label "
                        + "FROM prd_it.labels GROUP BY event_id) l ON p.event_id = l.event_id GROUP BY p.model_version")
                .collectAsList().forEach(r -> sql.put(r.getString(0), new long[]{r.getLong(1), r.getLong(2)}));
        assertThat(sql.keySet()).containsExactly(first.toString(), second.toString());
        for (String version : sql.keySet()) {
            assertThat(sql.get(version)).as("labelled and correct of %s", version).containsExactly(direct.get(version));
        }
        assertThat(sql.get(first.toString())[0] + sql.get(second.toString())[0]).isEqualTo(400);
        Row one = spark.table(predictions).where("event_id = 'e-399'").first();
        assertThat(one.getString(one.fieldIndex("model_version"))).isEqualTo(second.toString());
        assertThat(one.<String, Double>getJavaMap(one.fieldIndex("probabilities")).keySet()).containsExactlyInAnyOrder("A", "B");
    }

    private static void sendEvents(Topics topics, TestEvents events, int from, int to) {
        for (int i = from; i < to; i++) {
            producer.send(new ProducerRecord<>(topics.events(), "e-" + i, events.json("e-" + i, i)));
        }
        producer.flush();
    }

    private static void label(Topics topics, String eventId, String label, Instant at) {
        producer.send(new ProducerRecord<>(topics.labels(), eventId,
                new String(new LabelRecord(eventId, label, at).toJson(), StandardCharsets.UTF_8)));
    }

    private static void awaitLabels(StreamingJob job, String table, long expected) throws InterruptedException {
        JobAwait.until(job, TIMEOUT, expected + " labels in " + table, () -> {
            job.commitLake();
            return spark.table(table).count() >= expected;
        });
    }
}
