package dev.streamtree.streaming;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.score.BatchVersions;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.SparkModelLoader;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One micro-batch without Kafka: {@link MicroBatchProcessor} on a static DataFrame shaped like the Kafka source's
 * rows, its records collected by a test sender (in this JVM: Spark runs locally), real local Spark and real lake
 * files. The per-batch contract: one
 * model version per batch (a replay repeats it), lake rows exactly once, predictions and dead letters routed to
 * their topics.
 */
class MicroBatchTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final StructType KAFKA_ROW = new StructType()
            .add("key", DataTypes.BinaryType).add("value", DataTypes.BinaryType).add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType).add("offset", DataTypes.LongType);

    /** What the tasks' sender took; static, as the sender runs in the tasks, from a deserialized copy. */
    private static final List<ProducerRecord<byte[], byte[]>> SENT = Collections.synchronizedList(new ArrayList<>());

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestSpark.local("MicroBatchTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aBatchIsScoredByOneVersionWritesTheLakeOnceRoutesByTopicAndItsReplayRepeatsTheVersion() throws Exception {
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        VersionId first = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 500,
                new TestEvents(SCHEMA, 31, Instant.parse("2024-04-01T00:00:00Z"))::json);
        VersionId second = TestModels.train(spark, registry, SCHEMA, TreeParams.of(3, 1), 500,
                new TestEvents(SCHEMA, 32, Instant.parse("2024-04-01T00:00:00Z"))::json);
        registry.promote(first, "test");

        Topics topics = Topics.defaults();
        String lake = dir.resolve("lake").toString();
        StreamingConfig config = StreamingConfig.builder(KafkaSettings.of("localhost:1"))
                .lake(lake).registry(dir.resolve("registry").toString())
                .catalog(CatalogKind.LOCAL, "micro_batch_test", "events", null)
                .checkpoint(dir.resolve("checkpoint").toString())
                .build();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lake, null).qualified(spark.sparkContext().hadoopConfiguration());
        tables.configure(spark);
        TableIdentifier identifier = LakeTables.identifier("micro_batch_test", "events");
        Table table = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), identifier, SCHEMA);
        // Long enough that only the test's own commits run.
        MicroBatchProcessor.Lake lakeTable = new MicroBatchProcessor.Lake(tables, identifier, table, Duration.ofHours(1));
        List<ProducerRecord<byte[], byte[]>> sent = SENT;
        StatusBoard board = new StatusBoard(Clock.systemUTC());
        try (ModelTracker<TreeScorer> models = new ModelTracker<>(registry, SCHEMA,
                new SparkModelLoader(SCHEMA, spark.sparkContext().hadoopConfiguration()))) {
            MicroBatchProcessor processor = new MicroBatchProcessor(config, new EventValidator(SCHEMA), lakeTable, models,
                    BatchVersions.open(config.checkpoint(), spark.sparkContext().hadoopConfiguration()),
                    records -> records.forEachRemaining(record -> SENT.add(record)), board, Clock.systemUTC());
            // Spark sets the query id on the stream thread; the lake writer names its files after it.
            spark.sparkContext().setLocalProperty("sql.streaming.queryId", UUID.randomUUID().toString());

            TestEvents events = new TestEvents(SCHEMA, 5, Instant.parse("2024-05-01T10:00:00Z"));
            Dataset<Row> batch0 = kafkaRows(events, 0, 100, topics.events());
            processor.call(batch0, 0L);
            assertThat(predictions(sent, topics)).as("batch 0's predictions").hasSize(100)
                    .allMatch(p -> p.get(Prediction.MODEL_VERSION).asText().equals(first.toString()))
                    .allMatch(p -> p.get(Prediction.BATCH_ID).asLong() == 0);
            assertThat(topicsOf(sent)).containsExactlyInAnyOrder(topics.predictions(), topics.deadLetters());
            assertThat(sent.stream().filter(r -> topics.deadLetters().equals(r.topic())).count())
                    .as("dead letters").isEqualTo(2);
            assertThat(lakeIds()).as("batch 0 journaled, not yet committed").isEmpty();
            processor.commitLake();
            assertThat(lakeIds()).as("lake rows after batch 0").hasSize(100);

            // A promotion, then batch 0 replayed (its commit never reached the checkpoint): same version, lake unchanged.
            registry.promote(second, "test");
            sent.clear();
            processor.call(batch0, 0L);
            assertThat(predictions(sent, topics)).as("the replay's predictions").hasSize(100)
                    .allMatch(p -> p.get(Prediction.MODEL_VERSION).asText().equals(first.toString()));
            processor.commitLake();
            assertThat(lakeIds()).as("lake rows after the replay").hasSize(100).doesNotHaveDuplicates();

            sent.clear();
            processor.call(kafkaRows(events, 100, 50, topics.events()), 1L);
            assertThat(predictions(sent, topics)).as("batch 1's predictions").hasSize(50)
                    .allMatch(p -> p.get(Prediction.MODEL_VERSION).asText().equals(second.toString()));
            processor.closeLake();
            assertThat(lakeIds()).as("lake rows after batch 1, committed at close").hasSize(150);
            assertThat(board.snapshot().eventsToLake()).as("events counted into the lake").isEqualTo(150);
            assertThat(board.snapshot().deadLetters()).as("dead letters counted, the replay's re-sent ones too").isEqualTo(6);
        }
    }

    /** {@code count} valid events from {@code from}, plus two refused records (bad JSON, unknown category), in 2 partitions. */
    private static Dataset<Row> kafkaRows(TestEvents events, int from, int count, String topic) {
        List<Row> rows = new ArrayList<>();
        long offset = from;
        for (int n = from; n < from + count; n++) {
            String id = "e-" + n;
            rows.add(kafkaRow(id, events.json(id, n), topic, n % 2, offset++));
        }
        rows.add(kafkaRow("bad-json-" + from, "{\"id\": \"bad-json-" + from + "\", \"salary\": ", topic, 0, offset++));
        rows.add(kafkaRow("bad-car-" + from, events.json("bad-car-" + from, from)
                .replaceFirst("\"car\":\"[0-9]+\"", "\"car\":\"99\""), topic, 1, offset));
        return spark.createDataFrame(rows, KAFKA_ROW).repartition(2);
    }

    private static Row kafkaRow(String key, String value, String topic, int partition, long offset) {
        return RowFactory.create(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), topic,
                partition, offset);
    }

    private static List<JsonNode> predictions(List<ProducerRecord<byte[], byte[]>> sent, Topics topics) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> r : List.copyOf(sent)) {
            if (topics.predictions().equals(r.topic())) {
                out.add(Json.mapper().readTree(r.value()));
            }
        }
        return out;
    }

    private static Set<String> topicsOf(List<ProducerRecord<byte[], byte[]>> sent) {
        return List.copyOf(sent).stream().map(ProducerRecord::topic).collect(Collectors.toSet());
    }

    private static List<String> lakeIds() {
        return spark.table("micro_batch_test.events").select("id").collectAsList().stream().map(r -> r.getString(0)).toList();
    }
}
