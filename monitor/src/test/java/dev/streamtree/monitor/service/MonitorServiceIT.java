package dev.streamtree.monitor.service;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlCodec;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.monitor.cli.MonitorCommand;
import picocli.CommandLine;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The monitor against a real broker: predictions and labels written straight to their topics, no Spark. */
class MonitorServiceIT {

    private static final Instant T0 = Instant.parse("2026-12-02T08:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger RUN = new AtomicInteger();
    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    private static TestKafka kafka;
    private static KafkaSettings settings;
    private static KafkaProducer<byte[], byte[]> producer;

    @BeforeAll
    static void startBroker() {
        kafka = TestKafka.start();
        settings = KafkaSettings.of(kafka.bootstrapServers());
        producer = new KafkaProducer<>(settings.toProperties(), new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stopBroker() throws Exception {
        producer.close();
        kafka.close();
    }

    private static Topics topics() {
        String p = "m" + RUN.incrementAndGet() + ".";
        Topics topics = new Topics(p + "events", p + "dlq", p + "predictions", p + "control", p + "labels", p + "metrics");
        kafka.createTopics(1, List.of(topics.events(), topics.deadLetters(), topics.predictions(), topics.control(),
                topics.labels()));
        return topics;
    }

    private static MonitorService monitor(Topics topics) {
        return monitor(topics, MonitorOptions.defaults());
    }

    private static MonitorService monitor(Topics topics, MonitorOptions options) {
        return new MonitorService(settings, topics, SCHEMA, options
                .withMetricsInterval(Duration.ofMillis(300)).withGroupId("monitor-it-" + RUN.get()),
                Clock.systemUTC(), new PrometheusRegistry()).start();
    }

    private static void send(String topic, String key, byte[] value) {
        producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value));
    }

    private static void prediction(Topics topics, String id, String version, long batch, String predicted, Instant eventTime) {
        Prediction p = new Prediction(id, predicted, Map.of("A", predicted.equals("A") ? 0.9 : 0.1, "B",
                predicted.equals("A") ? 0.1 : 0.9), version, batch, eventTime, eventTime.plusSeconds(1), List.of());
        send(topics.predictions(), id, p.toJson().getBytes(StandardCharsets.UTF_8));
    }

    private static void label(Topics topics, String id, String cls, Instant at) {
        send(topics.labels(), id, new LabelRecord(id, cls, at).toJson());
    }

    private static byte[] event(String id, Instant eventTime, String label) {
        return ("{\"id\":\"" + id + "\",\"event_time\":\"" + eventTime + "\",\"salary\":50000,\"commission\":0,\"age\":30,"
                + "\"elevel\":\"1\",\"car\":\"3\",\"zipcode\":\"1\",\"hvalue\":100000,\"hyears\":3,\"loan\":1"
                + (label == null ? "" : ",\"label\":\"" + label + "\"") + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a topic from the start until {@code done} holds for what was read, or fails after {@link #WAIT}. */
    private static List<ConsumerRecord<byte[], byte[]>> readUntil(String topic,
                                                                  Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
        List<ConsumerRecord<byte[], byte[]>> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.toProperties(),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of(new TopicPartition(topic, 0));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!done.test(read)) {
                assertThat(System.nanoTime()).as("waited " + WAIT + " on " + topic + "; read " + read.size()).isLessThan(deadline);
                consumer.poll(Duration.ofMillis(200)).forEach(read::add);
            }
        }
        return read;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited " + WAIT + " for " + what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** The latest model-metrics record per version, once every version in {@code expected} shows that many labelled. */
    private static Map<String, ModelMetrics> metricsWhen(Topics topics, Map<String, Long> expected) {
        Map<String, ModelMetrics> latest = new HashMap<>();
        readUntil(topics.modelMetrics(), read -> {
            latest.clear();
            read.forEach(r -> {
                ModelMetrics m = ModelMetrics.parse(r.value());
                latest.put(m.modelVersion(), m);
            });
            return expected.entrySet().stream().allMatch(e -> latest.containsKey(e.getKey())
                    && latest.get(e.getKey()).labelled() == e.getValue());
        });
        return latest;
    }

    @Test
    void lateLabelsAreJoinedToTheirPredictionsIncludingOneThatArrivesBeforeItsEventAndAccuracyMatchesADirectCount()
            throws Exception {
        Topics topics = topics();
        Random random = new Random(16);
        // What the records say, computed directly: per version {labelled, correct}.
        Map<String, long[]> direct = new LinkedHashMap<>();
        Map<String, String> truth = new HashMap<>();
        try (MonitorService monitor = monitor(topics)) {
            // e-early: its label comes first, then its event, then its prediction.
            label(topics, "e-early", "B", T0);
            truth.put("e-early", "B");
            producer.flush();
            await("the early label held", () -> monitor.status().join().labelsWaiting() == 1);
            send(topics.events(), "e-early", event("e-early", T0, null));
            prediction(topics, "e-early", "v000001", 0, "B", T0);

            for (int i = 0; i < 600; i++) {
                String id = "e" + i;
                Instant time = T0.plusSeconds(i);
                String version = i < 300 ? "v000001" : "v000002";
                String cls = random.nextBoolean() ? "A" : "B";
                truth.put(id, cls);
                boolean right = random.nextDouble() < (version.equals("v000001") ? 0.8 : 0.6);
                String predicted = right ? cls : cls.equals("A") ? "B" : "A";
                boolean inline = i % 5 == 0;
                send(topics.events(), id, event(id, time, inline ? cls : null));
                prediction(topics, id, version, i / 50, predicted, time);
                if (i % 7 == 0) {
                    prediction(topics, id, version, i / 50, predicted, time); // a replayed batch
                }
            }
            producer.flush();
            for (int i = 0; i < 600; i++) {
                if (i % 5 != 0) {
                    label(topics, "e" + i, truth.get("e" + i), T0.plusSeconds(i + 30)); // late, the latest
                }
            }
            int stale = 0;
            for (int i = 0; i < 600; i += 11) {
                if (i % 5 != 0) {
                    // given before the label above (labelled_at earlier), delivered after it: the latest label wins
                    label(topics, "e" + i, truth.get("e" + i).equals("A") ? "B" : "A", T0.plusSeconds(i + 1));
                    stale++;
                }
            }
            producer.flush();
            direct.put("v000001", new long[]{1, 1}); // e-early: predicted B, labelled B
            Random again = new Random(16);
            for (int i = 0; i < 600; i++) {
                String version = i < 300 ? "v000001" : "v000002";
                String cls = again.nextBoolean() ? "A" : "B";
                boolean right = again.nextDouble() < (version.equals("v000001") ? 0.8 : 0.6);
                long[] counts = direct.computeIfAbsent(version, v -> new long[2]);
                counts[0]++;
                counts[1] += right ? 1 : 0;
            }

            Map<String, ModelMetrics> metrics = metricsWhen(topics, Map.of("v000001", direct.get("v000001")[0],
                    "v000002", direct.get("v000002")[0]));
            for (var e : direct.entrySet()) {
                ModelMetrics m = metrics.get(e.getKey());
                assertThat(m.labelled()).as(e.getKey() + " labelled").isEqualTo(e.getValue()[0]);
                assertThat(m.correct()).as(e.getKey() + " correct, as counted from the records sent").isEqualTo(e.getValue()[1]);
                assertThat(m.windowLabelled()).as("window holds them all (N = 1000)").isEqualTo(e.getValue()[0]);
                assertThat(m.windowCorrect()).isEqualTo(e.getValue()[1]);
                assertThat(m.recall()).containsOnlyKeys("A", "B");
            }
            assertThat(metrics.get("v000001").labelled()).as("e-early counted").isEqualTo(301);
            int staleSent = stale;
            await("the stale labels read", () -> monitor.status().join().staleLabels() == staleSent);
            MonitorService.Status status = monitor.status();
            assertThat(status.join().duplicatePredictions()).as("replays dropped").isEqualTo(600 / 7 + 1);
            assertThat(status.join().labelsWaiting()).isZero();
            assertThat(status.join().correctionsAfterJoin()).as("stale labels change nothing").isZero();
            assertThat(status.invalidLabels()).isZero();
            assertThat(monitor.failure()).isNull();
        }
    }

    @Test
    void badLabelsAreDeadLetteredWithTheirOriginalBytesAndNothingElseIsLost() throws Exception {
        Topics topics = topics();
        List<byte[]> bad = List.of(
                "{\"event_id\":\"x1\",\"label\":\"Z\",\"labelled_at\":\"2026-12-02T08:00:00Z\"}".getBytes(StandardCharsets.UTF_8),
                "{\"event_id\":\"x2\",\"label\":".getBytes(StandardCharsets.UTF_8),
                "{\"label\":\"A\"}".getBytes(StandardCharsets.UTF_8));
        // Off by default (the streaming job's labels query dead-letters labels): turned on here.
        try (MonitorService monitor = monitor(topics,
                MonitorOptions.defaults().withInvalidLabels(MonitorOptions.InvalidLabels.DEAD_LETTER))) {
            for (int i = 0; i < 100; i++) {
                String id = "g" + i;
                prediction(topics, id, "v000003", 1, "A", T0.plusSeconds(i));
                if (i % 30 == 0) {
                    send(topics.labels(), i == 0 ? "x1" : null, bad.get(i / 30 % bad.size()));
                }
                label(topics, id, i % 4 == 0 ? "B" : "A", T0.plusSeconds(i));
            }
            producer.flush();

            List<ConsumerRecord<byte[], byte[]>> dead = readUntil(topics.deadLetters(), read -> read.size() >= 4);
            Map<String, ModelMetrics> metrics = metricsWhen(topics, Map.of("v000003", 100L));

            assertThat(dead).hasSize(4);
            assertThat(dead.get(0).value()).as("original bytes").isEqualTo(bad.get(0));
            assertThat(dead.get(0).key()).isEqualTo("x1".getBytes(StandardCharsets.UTF_8));
            assertThat(header(dead.get(0), DeadLetterHeaders.REASON)).isEqualTo("field 'label' is 'Z'; expected one of [A, B]");
            assertThat(header(dead.get(1), DeadLetterHeaders.REASON)).startsWith("label record is malformed JSON");
            assertThat(header(dead.get(2), DeadLetterHeaders.REASON)).isEqualTo("field 'event_id' is missing");
            assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo(topics.labels());
            assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_PARTITION)).isEqualTo("0");
            assertThat(header(dead.get(0), DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("0");
            assertThat(header(dead.get(0), DeadLetterHeaders.FAILED_AT)).isNotBlank();
            assertThat(metrics.get("v000003").labelled()).as("every valid label joined").isEqualTo(100);
            assertThat(metrics.get("v000003").correct()).isEqualTo(75);
            assertThat(monitor.status().invalidLabels()).isEqualTo(4);
            assertThat(monitor.status().deadLettered()).isEqualTo(4);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        var h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void aStepUpInTheErrorRatePublishesOneDriftDetectedRecordWithItsChangePointAndTheMetrics() throws Exception {
        Topics topics = topics();
        Random random = new Random(7);
        int before = 2000;
        int total = 3000;
        try (MonitorService monitor = monitor(topics)) {
            List<String> labels = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                double error = i < before ? 0.05 : 0.40;
                String predicted = random.nextDouble() < error ? "B" : "A";
                prediction(topics, "d" + i, "v000004", i / 100, predicted, T0.plusSeconds(i));
                labels.add("A");
            }
            producer.flush();
            // Predictions first, then labels in event order: the join order (and so the detector's input) is fixed.
            await("all predictions held", () -> monitor.status().join().predictionsWaiting() == total);
            for (int i = 0; i < total; i++) {
                label(topics, "d" + i, labels.get(i), T0.plusSeconds(i + 5));
            }
            producer.flush();

            Map<String, ModelMetrics> metrics = metricsWhen(topics, Map.of("v000004", (long) total));
            List<ControlMessage.DriftDetected> drifts = new ArrayList<>();
            readUntil(topics.control(), read -> {
                drifts.clear();
                read.forEach(r -> ControlCodec.decode(r.value()).ifPresent(m -> drifts.add((ControlMessage.DriftDetected) m)));
                return !drifts.isEmpty();
            });
            await("the last publication after all labels", () -> monitor.status().join().joined() == total);

            assertThat(drifts).as("one step, one detection").hasSize(1);
            ControlMessage.DriftDetected drift = drifts.get(0);
            assertThat(drift.version()).isEqualTo("v000004");
            assertThat(drift.detector()).isEqualTo("adwin");
            assertThat(drift.changePoint()).as("change point near the step at event time T0 + 2000 s")
                    .isBetween(T0.plusSeconds(before - 100), T0.plusSeconds(before + 100));
            assertThat(drift.errorBefore()).isLessThan(0.15);
            assertThat(drift.errorAfter()).isGreaterThan(0.25);
            assertThat(drift.requestId()).isEqualTo(ControlMessage.DriftDetected.idFor("v000004", drift.detectedAt()));
            assertThat(metrics.get("v000004").driftDetections()).isEqualTo(1);
            assertThat(metrics.get("v000004").windowAccuracy()).as("the window after the step")
                    .isLessThan(metrics.get("v000004").accuracy());
            assertThat(monitor.status().driftsPublished()).isEqualTo(1);
        }

        // `streamtree monitor --once --json` shows what the monitor published.
        StringWriter printed = new StringWriter();
        CommandLine command = new CommandLine(new MonitorCommand());
        command.setOut(new PrintWriter(printed));
        int exit = command.execute("--bootstrap-servers", kafka.bootstrapServers(), "--model-metrics-topic",
                topics.modelMetrics(), "--control-topic", topics.control(), "--once", "--json");
        assertThat(exit).isZero();
        JsonNode view = Json.mapper().readTree(printed.toString());
        assertThat(view.path("versions")).hasSize(1);
        JsonNode v4 = view.path("versions").get(0);
        assertThat(v4.path("model_version").asText()).isEqualTo("v000004");
        assertThat(v4.path("labelled").asLong()).as("the last round, published at close").isEqualTo(total);
        assertThat(v4.path("drift_detections").asInt()).isEqualTo(1);
        assertThat(view.path("latest_drift").path("version").asText()).isEqualTo("v000004");
        assertThat(view.path("latest_drift").path("type").asText()).isEqualTo("drift-detected");

        StringWriter text = new StringWriter();
        command = new CommandLine(new MonitorCommand());
        command.setOut(new PrintWriter(text));
        assertThat(command.execute("--bootstrap-servers", kafka.bootstrapServers(), "--model-metrics-topic",
                topics.modelMetrics(), "--control-topic", topics.control(), "--once")).isZero();
        assertThat(text.toString()).contains("v000004").contains("of " + total).contains("drift: v000004");
    }
}
