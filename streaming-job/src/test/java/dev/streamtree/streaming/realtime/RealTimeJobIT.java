package dev.streamtree.streaming.realtime;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.PredictionsTable;
import dev.streamtree.lake.table.LakeRows;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.KafkaRecords;
import dev.streamtree.streaming.TestEvents;
import dev.streamtree.streaming.TestModels;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.time.temporal.ChronoUnit;

import static dev.streamtree.streaming.KafkaRecords.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real Kafka broker ({@link TestKafka}) and local Spark with four task slots, running the job in real-time mode:
 * the real-time scoring query (one long batch: the checkpoint interval is 5 minutes) beside the lake's micro-batch
 * query.
 */
class RealTimeJobIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

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
        // Two slots held by the real-time query (one per events partition), two for the lake's micro-batches.
        spark = TestSpark.local("RealTimeJobIT", "local[4]");
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
    void scoresEveryEventDeadLettersBadOnesAndEveryPartitionPicksUpAPromotionMidBatch() throws Exception {
        Topics topics = topics("rt");
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 2000, trainingEvents(11));
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(4, 1), 2000, trainingEvents(12));
        registry.promote(first, "test: first model");
        TestEvents events = new TestEvents(SCHEMA, 1, Instant.parse("2024-05-01T22:00:00Z"));
        RealTimeConfig realTime = new RealTimeConfig(Duration.ofMinutes(5), Duration.ofMillis(100),
                work.resolve("checkpoint-realtime").toString());

        RealTimeJob job = RealTimeJob.start(spark, config(topics, "rt_events"), realTime, StatusBoard.Observer.NONE);
        try {
            Map<String, RecordMetadata> sources = new HashMap<>(send(topics, events, 0, 500));
            Map<String, String> bad = new TreeMap<>();
            bad.put("bad-json", "{\"id\": \"bad-json\", \"salary\": ");
            bad.put("bad-type", events.json("bad-type", 1).replaceFirst("\"salary\":[0-9.]+", "\"salary\":\"lots\""));
            bad.put("bad-category", events.json("bad-category", 2).replaceFirst("\"car\":\"[0-9]+\"", "\"car\":\"99\""));
            Map<String, RecordMetadata> badSources = new HashMap<>();
            for (Map.Entry<String, String> b : bad.entrySet()) {
                badSources.put(b.getKey(), producer.send(new ProducerRecord<>(topics.events(), b.getKey(), b.getValue())).get());
            }
            assertThat(predictions(topics, 500)).as("predictions before the promotion").hasSize(500);

            // Promote while the real-time batch runs (it lasts 5 minutes), then keep sending.
            registry.promote(second, "test: hot swap mid-batch");
            // In local mode the tasks share this JVM and so the job's watcher.
            await(() -> serves(job.watcher(), second), job, "the watcher serving " + second);
            assertThat(job.watcher().keptSwaps()).as(second + ", the newest committed version, was loaded ahead when"
                    + " the watcher started: published without a load").isEqualTo(1);
            sources.putAll(send(topics, events, 500, 1000));
            List<Prediction> predictions = predictions(topics, 1000);

            assertThat(predictions).as("one prediction per event, nothing lost or repeated").hasSize(1000);
            assertThat(predictions.stream().map(Prediction::eventId).collect(Collectors.toSet()))
                    .isEqualTo(sources.keySet());
            assertThat(predictions.stream().map(Prediction::batchId).collect(Collectors.toSet()))
                    .as("all in one real-time batch: the promotion was picked up without a batch boundary").hasSize(1);
            Map<Integer, List<String>> versionsByPartition = new TreeMap<>();
            predictions.stream()
                    .sorted((a, b) -> Long.compare(sources.get(a.eventId()).offset(), sources.get(b.eventId()).offset()))
                    .forEach(p -> versionsByPartition.computeIfAbsent(sources.get(p.eventId()).partition(),
                            k -> new ArrayList<>()).add(p.modelVersion()));
            assertThat(versionsByPartition).as("both events partitions scored").hasSize(2);
            versionsByPartition.forEach((partition, versions) -> {
                assertThat(versions).as("partition " + partition + " versions in offset order")
                        .isSortedAccordingTo(String::compareTo);
                assertThat(versions.get(0)).as("partition " + partition + " first").isEqualTo(first.toString());
                assertThat(versions.get(versions.size() - 1)).as("partition " + partition + " last")
                        .isEqualTo(second.toString());
            });
            Set<String> afterSwap = predictions.stream().filter(p -> Integer.parseInt(p.eventId().substring(2)) >= 500)
                    .map(Prediction::modelVersion).collect(Collectors.toSet());
            assertThat(afterSwap).as("versions of the events sent after the watcher served " + second)
                    .containsExactly(second.toString());

            List<ConsumerRecord<byte[], byte[]>> deadLetters = KafkaRecords.atLeast(kafka.bootstrapServers(),
                    topics.deadLetters(), bad.size());
            assertThat(deadLetters).hasSize(bad.size());
            for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
                String key = new String(letter.key(), StandardCharsets.UTF_8);
                assertThat(new String(letter.value(), StandardCharsets.UTF_8)).as(key + " bytes").isEqualTo(bad.get(key));
                assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.events());
                assertThat(header(letter, DeadLetterHeaders.SOURCE_PARTITION))
                        .isEqualTo(Integer.toString(badSources.get(key).partition()));
                assertThat(header(letter, DeadLetterHeaders.SOURCE_OFFSET))
                        .isEqualTo(Long.toString(badSources.get(key).offset()));
                assertThat(header(letter, DeadLetterHeaders.REASON)).as(key + " reason").isNotBlank();
                assertThat(Instant.parse(header(letter, DeadLetterHeaders.FAILED_AT))).isAfter(Instant.parse("2026-01-01T00:00:00Z"));
                assertThat(letter.headers().toArray()).extracting(h -> h.key()).containsExactlyElementsOf(DeadLetterHeaders.ALL);
            }

            await(() -> job.status().eventsToLake() >= 1000, job, "lake");
            assertThat(job.status().eventsToLake()).isEqualTo(1000);
            assertThat(job.status().deadLetters()).isEqualTo(bad.size());
            assertThat(job.status().predictions()).isEqualTo(1000);
            assertThat(job.status().modelVersion()).isEqualTo(second.toString());
            assertThat(job.lakeJob().status().unscoredEvents()).as("the lake query scores nothing and misses nothing").isZero();
            assertThat(job.lakeJob().status().predictions()).isZero();
            job.lakeJob().commitLake(); // journaled batches become visible to readers at the lake's commit
            assertThat(spark.table(job.lakeJob().tableName()).select("id").distinct().count()).isEqualTo(1000);

            // The real-time predictions land in the predictions table, each once, as the topic has them.
            String table = job.lakeJob().predictionsTableName();
            await(() -> {
                job.lakeJob().commitLake();
                return spark.table(table).count() >= 1000;
            }, job, "1000 predictions in " + table);
            List<Row> landed = spark.table(table).collectAsList();
            assertThat(landed).as("one row per prediction record").hasSize(1000);
            Map<String, Prediction> published = predictions.stream()
                    .collect(Collectors.toMap(Prediction::eventId, p -> p));
            for (Row row : landed) {
                Prediction p = published.get(row.getString(row.fieldIndex(PredictionsTable.EVENT_ID)));
                assertThat(p).as("landed prediction " + row).isNotNull();
                assertThat(row.getString(row.fieldIndex(PredictionsTable.MODEL_VERSION))).isEqualTo(p.modelVersion());
                assertThat(row.getString(row.fieldIndex(PredictionsTable.PREDICTED_CLASS))).isEqualTo(p.predictedClass());
                assertThat(row.getLong(row.fieldIndex(PredictionsTable.BATCH_ID))).isEqualTo(p.batchId());
                assertThat(row.getTimestamp(row.fieldIndex(PredictionsTable.SCORED_AT)).toInstant())
                        .isEqualTo(p.scoredAt().truncatedTo(ChronoUnit.MICROS));
                assertThat(row.<String, Double>getJavaMap(row.fieldIndex(PredictionsTable.PROBABILITIES)))
                        .isEqualTo(p.probabilities());
            }
            assertThat(job.scoringQuery().isActive()).isTrue();
        } finally {
            job.stop();
        }
    }

    @Test
    void partitionsFollowARollbackAndARefusedVersionLeavesTheCurrentOneServing() throws Exception {
        Topics topics = topics("rtback");
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 2000, trainingEvents(21));
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(4, 1), 2000, trainingEvents(22));
        VersionId foreign = trainForAnotherSchema(registry);
        registry.promote(first, "test: first model");
        TestEvents events = new TestEvents(SCHEMA, 2, Instant.parse("2024-05-01T22:00:00Z"));
        RealTimeConfig realTime = new RealTimeConfig(Duration.ofMinutes(5), Duration.ofMillis(100),
                work.resolve("checkpoint-realtime").toString());

        RealTimeJob job = RealTimeJob.start(spark, config(topics, "rtback_events"), realTime, StatusBoard.Observer.NONE);
        try {
            ModelWatcher watcher = job.watcher();
            Map<String, RecordMetadata> sources = new HashMap<>(send(topics, events, 0, 200));
            assertThat(predictions(topics, 200)).hasSize(200);
            registry.promote(second, "test: second");
            await(() -> serves(watcher, second), job, "serving " + second);
            sources.putAll(send(topics, events, 200, 400));
            assertThat(predictions(topics, 400)).hasSize(400);
            assertThat(registry.rollback("test: rollback")).isEqualTo(first);
            await(() -> serves(watcher, first), job, "serving " + first + " again");
            assertThat(watcher.keptSwaps()).as("the rollback to " + first + " published without a load").isEqualTo(1);
            assertThat(watcher.refusals()).as(foreign + ", the newest version, was not refused by preparing it ahead")
                    .isZero();
            sources.putAll(send(topics, events, 400, 600));
            assertThat(predictions(topics, 600)).hasSize(600);
            registry.promote(foreign, "test: a version of another schema");
            await(() -> watcher.refusals() >= 1, job, "refusing " + foreign);
            sources.putAll(send(topics, events, 600, 800));
            List<Prediction> predictions = predictions(topics, 800);

            assertThat(predictions).hasSize(800);
            assertThat(watcher.serving().map(ModelWatcher.Serving::version)).as("still serving after the refusal")
                    .contains(first);
            Map<Integer, List<String>> versionsByPartition = new TreeMap<>();
            predictions.stream()
                    .sorted((a, b) -> Long.compare(sources.get(a.eventId()).offset(), sources.get(b.eventId()).offset()))
                    .forEach(p -> versionsByPartition.computeIfAbsent(sources.get(p.eventId()).partition(),
                            k -> new ArrayList<>()).add(p.modelVersion()));
            assertThat(versionsByPartition).hasSize(2);
            versionsByPartition.forEach((partition, versions) -> assertThat(runs(versions))
                    .as("partition " + partition + ": v1, v2, back to v1 with the pointer, never the refused version")
                    .containsExactly(first.toString(), second.toString(), first.toString()));
            for (Prediction p : predictions) {
                int n = Integer.parseInt(p.eventId().substring(2));
                String expected = n >= 200 && n < 400 ? second.toString() : first.toString();
                assertThat(p.modelVersion()).as(p.eventId()).isEqualTo(expected);
            }
            assertThat(predictions.stream().map(Prediction::batchId).distinct().count()).as("one real-time batch")
                    .isEqualTo(1);
            // Also lets the lake query go idle: a lake batch cut by stop() leaves staging files behind.
            await(() -> job.status().eventsToLake() >= 800, job, "lake");
            assertThat(job.status().eventsToLake()).isEqualTo(800);
        } finally {
            job.stop();
        }
    }

    /** The versions with consecutive repeats collapsed: [v1, v1, v2, v1] -> [v1, v2, v1]. */
    private static List<String> runs(List<String> versions) {
        List<String> runs = new ArrayList<>();
        for (String v : versions) {
            if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(v)) {
                runs.add(v);
            }
        }
        return runs;
    }

    private static boolean serves(ModelWatcher watcher, VersionId version) {
        return watcher.serving().map(ModelWatcher.Serving::version).filter(version::equals).isPresent();
    }

    /** A committed version whose metadata names another schema fingerprint: the watcher must refuse it. */
    private static VersionId trainForAnotherSchema(FileSystemModelRegistry registry) throws Exception {
        TestModels.EventJson json = trainingEvents(23);
        String[] ids = new String[1000];
        byte[][] values = new byte[1000][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "t-" + i;
            values[i] = json.json(ids[i], i).getBytes(StandardCharsets.UTF_8);
        }
        PipelineModel model = FeaturePipeline.fit(LakeRows.of(spark, new EventValidator(SCHEMA), ids, values), SCHEMA,
                TreeParams.of(2, 1));
        try (PendingVersion pending = registry.stage()) {
            model.write().overwrite().save(pending.modelLocation());
            return pending.commit(new ModelMetadata(Instant.now(), "another-schema-fingerprint", SCHEMA.featureNames(),
                    SCHEMA.label().classes(), "test", ids.length, 0, Map.of(), TreeParams.of(2, 1).asMap(), Map.of(),
                    Map.of(), null, spark.version(), "test"));
        }
    }

    private StreamingConfig config(Topics topics, String table) {
        return StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(lakes.toString(), work.resolve("registry").toString(),
                        work.resolve("checkpoint").toString())
                .withTable("streamtree_rt", table)
                .withTrigger(Duration.ofSeconds(1), 0);
    }

    private static Topics topics(String prefix) {
        Topics topics = new Topics(prefix + ".events", prefix + ".dlq", prefix + ".predictions", prefix + ".control");
        kafka.createTopics(2, List.of(topics.events()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        return topics;
    }

    /** Sends events {@code from..to-1}; returns where each landed, by id. */
    private static Map<String, RecordMetadata> send(Topics topics, TestEvents events, int from, int to)
            throws InterruptedException, ExecutionException {
        Map<String, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            sent.put("e-" + i, producer.send(new ProducerRecord<>(topics.events(), "e-" + i, events.json("e-" + i, i))));
        }
        producer.flush();
        Map<String, RecordMetadata> where = new LinkedHashMap<>();
        for (Map.Entry<String, Future<RecordMetadata>> s : sent.entrySet()) {
            where.put(s.getKey(), s.getValue().get());
        }
        return where;
    }

    private static List<Prediction> predictions(Topics topics, int expected) {
        List<Prediction> predictions = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : KafkaRecords.atLeast(kafka.bootstrapServers(), topics.predictions(), expected)) {
            Prediction prediction = Prediction.parse(new String(record.value(), StandardCharsets.UTF_8));
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(prediction.eventId());
            predictions.add(prediction);
        }
        return predictions;
    }

    private static void await(BooleanSupplier condition, RealTimeJob job, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(job.scoringQuery().isActive()).as("scoring query alive while waiting for " + what
                    + ": " + job.scoringQuery().exception()).isTrue();
            assertThat(job.lakeJob().query().isActive()).as("lake query alive while waiting for " + what).isTrue();
            assertThat(System.nanoTime()).as("timed out waiting for " + what + "; " + job.status().summary())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static TestModels.EventJson trainingEvents(long seed) {
        return new TestEvents(SCHEMA, seed, Instant.parse("2024-04-01T00:00:00Z"))::json;
    }
}
