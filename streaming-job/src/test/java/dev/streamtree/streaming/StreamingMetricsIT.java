package dev.streamtree.streaming;

import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.metrics.StreamingMetrics;
import dev.streamtree.testing.MetricsScrape;
import dev.streamtree.testing.TestSpark;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts a real Kafka broker ({@link TestKafka}) and a local Spark session, runs the streaming job with its metrics
 * served over HTTP, and scrapes the endpoint as Prometheus would.
 */
class StreamingMetricsIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int GOOD = 300;

    private static TestKafka kafka;
    private static SparkSession spark;
    private static KafkaProducer<String, String> producer;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        spark = TestSpark.local("StreamingMetricsIT");
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        producer = new KafkaProducer<>(props);
    }

    @AfterAll
    static void stop() throws Exception {
        producer.close();
        spark.stop();
        kafka.close();
    }

    @Test
    void scrapeCountsEveryEventSentAndNamesTheRegistrysCurrentVersion() throws Exception {
        Topics topics = new Topics("metrics.events", "metrics.dlq", "metrics.predictions", "metrics.control");
        kafka.createTopics(2, List.of(topics.events()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                spark.sparkContext().hadoopConfiguration());
        VersionId version = TestModels.train(spark, registry, SCHEMA, TreeParams.of(2, 1), 500,
                new TestEvents(SCHEMA, 7, Instant.parse("2024-04-01T00:00:00Z"))::json);
        registry.promote(version, "test: the model the metrics must name");
        StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(work.resolve("lake").toString(), work.resolve("registry").toString(),
                        work.resolve("checkpoint").toString())
                .withTable("streamtree_metrics_it", "events")
                .withTrigger(Duration.ofSeconds(1), 0);

        PrometheusRegistry prometheus = new PrometheusRegistry();
        StreamingMetrics metrics = new StreamingMetrics(prometheus);
        try (HTTPServer server = StreamingMetrics.serve(prometheus, 0);
             StreamingJob job = StreamingJob.start(spark, config, registry, metrics)) {
            String url = "http://localhost:" + server.getPort() + "/metrics";
            TestEvents events = new TestEvents(SCHEMA, 1, Instant.parse("2024-05-01T22:00:00Z"));
            for (int i = 0; i < GOOD; i++) {
                producer.send(new ProducerRecord<>(topics.events(), "e-" + i, events.json("e-" + i, i)));
            }
            List<String> bad = List.of("{\"id\": \"bad-json\", \"salary\": ",
                    events.json("bad-type", 1).replaceFirst("\"salary\":[0-9.]+", "\"salary\":\"lots\""),
                    "[]");
            for (int i = 0; i < bad.size(); i++) {
                producer.send(new ProducerRecord<>(topics.events(), "bad-" + i, bad.get(i)));
            }
            producer.flush();
            int sent = GOOD + bad.size();

            JobAwait.until(job, TIMEOUT, "all events read", StreamingJob::isKafkaMetricsReplayBug,
                    () -> job.status().eventsRead() >= sent);
            JobAwait.until(job, TIMEOUT, "the lag of both partitions", StreamingJob::isKafkaMetricsReplayBug,
                    () -> scrape(url).named(StreamingMetrics.CONSUMER_LAG).size() == 2);
            MetricsScrape scrape = scrape(url);

            assertThat(scrape.value(StreamingMetrics.EVENTS_READ + "_total")).as("events read").hasValue((double) sent);
            assertThat(scrape.value(StreamingMetrics.DEAD_LETTERS + "_total")).as("dead letters")
                    .hasValue((double) bad.size());
            assertThat(scrape.value(StreamingMetrics.EVENTS_TO_LAKE + "_total")).as("to lake").hasValue((double) GOOD);
            assertThat(scrape.value(StreamingMetrics.PREDICTIONS + "_total", "version", version.toString()))
                    .as("predictions by the serving version").hasValue((double) GOOD);
            assertThat(scrape.named(StreamingMetrics.SERVING_MODEL + "_info")).as("serving version info")
                    .singleElement().satisfies(s -> {
                        assertThat(s.labels()).containsEntry("version", registry.current().orElseThrow().toString());
                        assertThat(s.value()).isEqualTo(1.0);
                    });
            assertThat(scrape.value(StreamingMetrics.MODEL_SWAPS + "_total")).as("swaps").hasValue(1.0);
            assertThat(scrape.value(StreamingMetrics.MODEL_REFUSALS + "_total")).as("refusals").hasValue(0.0);
            assertThat(scrape.value(StreamingMetrics.MODEL_LOAD + "_count")).as("loads timed").hasValue(1.0);
            assertThat(scrape.value(StreamingMetrics.MODEL_LOAD + "_sum")).as("load time").hasValueSatisfying(
                    seconds -> assertThat(seconds).isPositive().isLessThan(TIMEOUT.toSeconds()));
            assertThat(scrape.value(StreamingMetrics.BATCH_DURATION + "_count")).as("batches timed")
                    .hasValueSatisfying(n -> assertThat(n).isGreaterThanOrEqualTo(1.0));
            assertThat(scrape.named(StreamingMetrics.CONSUMER_LAG)).as("lag per partition")
                    .extracting(s -> s.labels().get("topic") + "/" + s.labels().get("partition"))
                    .containsExactlyInAnyOrder(topics.events() + "/0", topics.events() + "/1");
            assertThat(scrape.named(StreamingMetrics.CONSUMER_LAG)).allSatisfy(s -> assertThat(s.value()).isNotNegative());
            assertThat(spark.conf().get(StreamingOptions.SPARK_STREAMING_METRICS)).as("Spark's streaming metrics")
                    .isEqualTo("true");
        }
    }

    private static MetricsScrape scrape(String url) {
        try {
            return MetricsScrape.of(url);
        } catch (Exception e) {
            throw new AssertionError("cannot scrape " + url + ": " + e.getMessage(), e);
        }
    }
}
