package dev.streamtree.streaming.reliability;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.send.EventSender;
import dev.streamtree.ingest.send.ProducerSettings;
import dev.streamtree.ingest.send.Rejection;
import dev.streamtree.ingest.send.SendProgress;
import dev.streamtree.ingest.send.SendReport;
import dev.streamtree.ingest.source.SourceRecord;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.KafkaRecords;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.TestModels;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real broker ({@link EmbeddedKafka}, restartable on the same port and log directories) and local Spark: while the
 * ingest library ({@link EventSender} with {@link ProducerSettings}, as {@code ingest send} uses them) produces
 * events continuously and the streaming job runs in-process, the broker is stopped for {@value #OUTAGE_SECONDS} s
 * and started again, {@value #OUTAGES} times. Afterwards every produced event is in the lake exactly once, every
 * event has at least one prediction, the producer reports no failure, and the streaming query is running.
 */
class BrokerRestartIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final int OUTAGES = 2;
    private static final int OUTAGE_SECONDS = 6;
    private static final int EVENTS_PER_SECOND = 100;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path work;

    @Test
    void producerAndStreamingJobLoseNothingWhenTheBrokerRestartsMidStream() throws Exception {
        Topics topics = new Topics("restart.events", "restart.dlq", "restart.predictions", "restart.control");
        SparkSession spark = TestSpark.local("BrokerRestartIT");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, List.of(topics.events()));
            kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions()));
            FileSystemModelRegistry registry = FileSystemModelRegistry.open(work.resolve("registry").toString(),
                    spark.sparkContext().hadoopConfiguration());
            registry.promote(TestModels.train(spark, registry, SCHEMA, TreeParams.of(3, 1), 1000, BrokerRestartIT::json),
                    "BrokerRestartIT model");

            StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                    .withTopics(topics)
                    .withLocations(work.resolve("lake").toString(), work.resolve("registry").toString(),
                            work.resolve("checkpoint").toString())
                    .withTable("streamtree_restart", "events")
                    .withTrigger(Duration.ofSeconds(1), 0);
            StreamingJob job = StreamingJob.start(spark, config);
            Set<String> queryRuns = ConcurrentHashMap.newKeySet();
            try {
                PacedEvents events = new PacedEvents(EVENTS_PER_SECOND);
                SendProgress progress = new SendProgress();
                List<Rejection> problems = new ArrayList<>();
                CompletableFuture<SendReport> sending;
                try (Producer<String, byte[]> producer = ProducerSettings.create(KafkaSettings.of(kafka.bootstrapServers()))) {
                    EventSender sender = new EventSender(producer, new EventValidator(SCHEMA), topics.events(),
                            r -> {
                                synchronized (problems) {
                                    problems.add(r);
                                }
                            });
                    sending = CompletableFuture.supplyAsync(() -> sender.send(events, progress));

                    await(() -> job.status().eventsToLake() > 0, job, queryRuns, "the first events in the lake");
                    List<String> recoveries = new ArrayList<>();
                    for (int outage = 1; outage <= OUTAGES; outage++) {
                        Thread.sleep(3000);
                        long sentBefore = progress.sent();
                        long lakeBefore = job.status().eventsToLake();
                        long down = System.nanoTime();
                        kafka.stopBroker();
                        Thread.sleep(OUTAGE_SECONDS * 1000L);
                        long readDuringOutage = progress.read();
                        kafka.startBroker();
                        long up = System.nanoTime();
                        long brokerDownMs = (up - down) / 1_000_000;
                        await(() -> progress.sent() >= readDuringOutage, job, queryRuns,
                                "the producer to deliver what it buffered during outage " + outage);
                        long producerMs = (System.nanoTime() - up) / 1_000_000;
                        await(() -> job.status().eventsToLake() >= readDuringOutage, job, queryRuns,
                                "the lake to catch up after outage " + outage);
                        long lakeMs = (System.nanoTime() - up) / 1_000_000;
                        String line = "outage " + outage + ": broker down " + brokerDownMs + " ms; sent before "
                                + sentBefore + ", lake before " + lakeBefore + ", read by ingest while down "
                                + (readDuringOutage - sentBefore) + "; after restart the producer delivered its backlog in "
                                + producerMs + " ms and the lake held every event read during the outage after "
                                + lakeMs + " ms";
                        recoveries.add(line);
                        System.out.println("BrokerRestartIT: " + line);
                    }
                    Thread.sleep(3000);
                    events.finish();
                    SendReport report = sending.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                    System.out.println("BrokerRestartIT: ingest report " + report);
                    assertThat(problems).as("rejections and broker failures reported by the sender").isEmpty();
                    assertThat(report.failed()).as("events the producer gave up on").isZero();
                    assertThat(report.rejected()).isZero();
                    assertThat(report.sent()).as("events acknowledged").isEqualTo(report.read()).isEqualTo(events.ids().size());
                }

                int produced = events.ids().size();
                await(() -> job.status().eventsToLake() >= produced, job, queryRuns, "all " + produced + " events in the lake");
                job.commitLake();
                Dataset<Row> lake = spark.table(job.tableName());
                long rows = lake.count();
                long distinct = lake.select("id").distinct().count();
                Set<String> lakeIds = new HashSet<>(lake.select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
                assertThat(rows).as("lake rows").isEqualTo(produced);
                assertThat(distinct).as("distinct ids in the lake").isEqualTo(produced);
                assertThat(lakeIds).as("lake ids").isEqualTo(events.ids());

                Set<String> scored = new HashSet<>();
                long predictions = 0;
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (!scored.containsAll(events.ids()) && System.nanoTime() < deadline) {
                    scored.clear();
                    predictions = 0;
                    for (ConsumerRecord<byte[], byte[]> r
                            : KafkaRecords.toEnd(kafka.bootstrapServers(), topics.predictions())) {
                        scored.add(Prediction.parse(new String(r.value(), StandardCharsets.UTF_8)).eventId());
                        predictions++;
                    }
                    Thread.sleep(1000);
                }
                Set<String> unscored = new HashSet<>(events.ids());
                unscored.removeAll(scored);
                assertThat(unscored).as("events without a prediction").isEmpty();

                StreamingQuery query = job.query();
                queryRuns.add(query.runId().toString());
                assertThat(query.isActive()).as("query running at the end").isTrue();
                assertThat(query.exception().isEmpty()).as("query failure: " + query.exception()).isTrue();
                System.out.println("BrokerRestartIT: " + OUTAGES + " broker restarts of " + OUTAGE_SECONDS + " s; "
                        + produced + " events produced, lake rows " + rows + ", distinct ids " + distinct
                        + ", predictions " + predictions + " (" + (predictions - produced) + " re-sent), events without"
                        + " a prediction " + unscored.size() + "; query runs seen " + queryRuns.size()
                        + " (1 = the query never failed); status " + job.status().summary());
            } finally {
                job.stop();
            }
        } finally {
            spark.stop();
        }
    }

    /** Generated events at a fixed rate until {@link #finish()}; remembers every id it handed out. */
    private static final class PacedEvents implements Iterator<SourceRecord> {

        private final long intervalNanos;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final Set<String> ids = ConcurrentHashMap.newKeySet();
        private long next = System.nanoTime();
        private int count;

        PacedEvents(int perSecond) {
            this.intervalNanos = 1_000_000_000L / perSecond;
        }

        void finish() {
            finished.set(true);
        }

        Set<String> ids() {
            return ids;
        }

        @Override
        public boolean hasNext() {
            return !finished.get();
        }

        @Override
        public SourceRecord next() {
            if (finished.get()) {
                throw new NoSuchElementException();
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            next += intervalNanos;
            String id = "r-" + count;
            ids.add(id);
            return SourceRecord.of("generated #" + count, json(id, count++));
        }
    }

    private static String json(String id, int i) {
        return "{\"id\":\"" + id + "\",\"event_time\":\"2024-09-01T0" + (i % 3) + ":" + String.format("%02d", i % 60)
                + ":00Z\",\"salary\":" + (20000 + (i * 7919) % 130000) + ",\"commission\":" + (i % 7) * 1000
                + ",\"age\":" + (20 + (i * 31) % 60) + ",\"elevel\":\"" + (i % 5) + "\",\"car\":\"" + (1 + i % 20)
                + "\",\"zipcode\":\"" + (i % 9) + "\",\"hvalue\":" + (i * 37) % 1500000 + ",\"hyears\":" + (1 + i % 30)
                + ",\"loan\":" + (i * 113) % 500000 + ",\"label\":\"" + ((i * 7919) % 130000 < 60000 ? "A" : "B") + "\"}";
    }

    /** Waits for {@code condition}; fails at once if the query died and the job did not replace it. */
    private static void await(BooleanSupplier condition, StreamingJob job, Set<String> queryRuns, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        long deadSince = 0;
        while (!condition.getAsBoolean()) {
            StreamingQuery query = job.query();
            queryRuns.add(query.runId().toString());
            if (!query.isActive()) {
                deadSince = deadSince == 0 ? System.nanoTime() : deadSince;
                assertThat(System.nanoTime() - deadSince).as("query stopped and was not restarted: " + query.exception()
                        + "; status " + job.status().summary()).isLessThan(Duration.ofSeconds(30).toNanos());
            } else {
                deadSince = 0;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; status " + job.status().summary());
            }
            Thread.sleep(200);
        }
    }
}
