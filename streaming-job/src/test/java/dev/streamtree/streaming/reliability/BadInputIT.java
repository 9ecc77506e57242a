package dev.streamtree.streaming.reliability;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.streaming.JobAwait;
import dev.streamtree.streaming.KafkaRecords;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.reliability.BadInputCorpus.Entry;
import dev.streamtree.streaming.reliability.BadInputCorpus.Outcome;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import static dev.streamtree.streaming.KafkaRecords.header;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real broker ({@link TestKafka}) and local Spark: the whole bad-input corpus, interleaved with good events, goes
 * through the running streaming job. Every bad record lands in the dead-letter topic with its reason, every good one
 * (and every corpus record accepted by rule) is in the lake, and the query keeps running.
 */
class BadInputIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int GOOD_PER_GAP = 20;

    private static TestKafka kafka;
    private static SparkSession spark;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        spark = TestSpark.local("BadInputIT");
    }

    @AfterAll
    static void stop() throws Exception {
        spark.stop();
        kafka.close();
    }

    @Test
    void everyBadRecordIsDeadLetteredWithItsReasonAndTheQueryKeepsRunning() throws Exception {
        Topics topics = new Topics("bad.events", "bad.dlq", "bad.predictions", "bad.control");
        kafka.createTopics(2, List.of(topics.events()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(work.resolve("lake").toString(), work.resolve("registry").toString(),
                        work.resolve("checkpoint").toString())
                .withTable("streamtree_bad", "events")
                .withTrigger(Duration.ofSeconds(1), 0);
        List<Entry> corpus = BadInputCorpus.load();
        long deadLetters = corpus.stream().filter(e -> e.outcome() == Outcome.DEAD_LETTER).count();
        long acceptedByRule = corpus.size() - deadLetters;
        int good = (corpus.size() + 1) * GOOD_PER_GAP;

        StreamingJob job = StreamingJob.start(spark, config);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            int next = 0;
            for (Entry entry : corpus) {
                next = sendGood(producer, topics, next, GOOD_PER_GAP);
                producer.send(new ProducerRecord<>(topics.events(), entry.key(), entry.value())).get();
            }
            sendGood(producer, topics, next, GOOD_PER_GAP);
            producer.flush();

            long expectedRead = good + corpus.size();
            JobAwait.until(job, TIMEOUT, "the corpus and good events read",
                    () -> job.status().eventsRead() >= expectedRead);
            assertThat(job.query().isActive()).as("query still running").isTrue();
            assertThat(job.status().deadLetters()).isEqualTo(deadLetters);
            assertThat(job.status().eventsToLake()).isEqualTo(good + acceptedByRule);

            job.commitLake();
            Map<String, Long> lakeIds = spark.table(job.tableName()).groupBy("id").count().collectAsList().stream()
                    .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
            for (int i = 0; i < good; i++) {
                assertThat(lakeIds.get("good-" + i)).as("good-" + i + " in the lake once").isEqualTo(1L);
            }
            for (Entry entry : corpus) {
                if (entry.outcome() == Outcome.LAKE) {
                    assertThat(lakeIds.get(entry.id())).as(entry.name() + ": " + entry.rule()).isEqualTo((long) entry.rows());
                }
            }
            assertThat(lakeIds.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(good + acceptedByRule);
            Row unlabelled = spark.table(job.tableName()).where("id = 'nolabel-1'").select("label").first();
            assertThat(unlabelled.isNullAt(0)).isTrue();

            Map<String, ConsumerRecord<byte[], byte[]>> letters = new HashMap<>();
            List<ConsumerRecord<byte[], byte[]>> deadLetterRecords =
                    KafkaRecords.atLeast(kafka.bootstrapServers(), topics.deadLetters(), (int) deadLetters);
            for (ConsumerRecord<byte[], byte[]> record : deadLetterRecords) {
                assertThat(letters.put(new String(record.key(), StandardCharsets.UTF_8), record)).as("one dead letter per key").isNull();
            }
            assertThat(letters).hasSize((int) deadLetters);
            for (Entry entry : corpus) {
                if (entry.outcome() != Outcome.DEAD_LETTER) {
                    continue;
                }
                ConsumerRecord<byte[], byte[]> letter = letters.get(entry.keyText());
                assertThat(letter).as("dead letter for " + entry.name()).isNotNull();
                assertThat(header(letter, DeadLetterHeaders.REASON)).as(entry.name()).contains(entry.reason());
                assertThat(header(letter, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.events());
                assertThat(Instant.parse(header(letter, DeadLetterHeaders.FAILED_AT))).isBefore(Instant.now());
                if (entry.value() == null) {
                    assertThat(letter.value()).as(entry.name()).isNull();
                } else if (entry.value().length <= ValueLimit.DEAD_LETTER_VALUE_BYTES) {
                    assertThat(letter.value()).as(entry.name() + " keeps its original bytes").isEqualTo(entry.value());
                } else {
                    assertThat(letter.value()).as(entry.name() + " is cut to a prefix")
                            .hasSize(ValueLimit.DEAD_LETTER_PREFIX_BYTES)
                            .isEqualTo(java.util.Arrays.copyOf(entry.value(), ValueLimit.DEAD_LETTER_PREFIX_BYTES));
                    assertThat(header(letter, DeadLetterHeaders.REASON)).contains("of " + entry.value().length + " bytes");
                }
            }
            assertThat(job.query().isActive()).as("query still running at the end").isTrue();
            assertThat(job.query().exception().isEmpty()).isTrue();
        } finally {
            job.stop();
        }
    }

    /** Mirrors DeadLetters' limits, so the test states them independently. */
    private static final class ValueLimit {
        static final int DEAD_LETTER_VALUE_BYTES = 1_000_000;
        static final int DEAD_LETTER_PREFIX_BYTES = 65_536;
    }

    private static int sendGood(KafkaProducer<byte[], byte[]> producer, Topics topics, int from, int count) {
        for (int i = from; i < from + count; i++) {
            String id = "good-" + i;
            String json = "{\"id\":\"" + id + "\",\"event_time\":\"2024-07-01T1" + (i % 2) + ":00:00Z\""
                    + ",\"salary\":" + (20000 + 97 * i) + ",\"commission\":0,\"age\":" + (20 + i % 60)
                    + ",\"elevel\":\"" + (i % 5) + "\",\"car\":\"" + (1 + i % 20) + "\",\"zipcode\":\"" + (i % 9)
                    + "\",\"hvalue\":" + (1000 * i) + ",\"hyears\":" + (1 + i % 30) + ",\"loan\":" + (100 * i)
                    + ",\"label\":\"" + (i % 2 == 0 ? "A" : "B") + "\"}";
            producer.send(new ProducerRecord<>(topics.events(), id.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)));
        }
        return from + count;
    }

    private static KafkaProducer<byte[], byte[]> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("key.serializer", ByteArraySerializer.class.getName());
        props.put("value.serializer", ByteArraySerializer.class.getName());
        props.put("max.request.size", String.valueOf(12 * 1024 * 1024));
        props.put("buffer.memory", String.valueOf(64 * 1024 * 1024));
        props.put("linger.ms", "5");
        return new KafkaProducer<>(props);
    }
}
