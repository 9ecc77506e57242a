package dev.streamtree.ingest.cli;

import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.ingest.IngestMain;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.kafka.embedded.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts a real Kafka broker (Testcontainers or embedded KRaft) and drives the ingest CLI against it. */
class IngestIT {

    private static TestKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = TestKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // Read until the expected count arrives, then a little longer to catch anything extra.
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                if (out.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
        }
        return out;
    }

    private record Run(int exitCode, String out, String err) {
    }

    private static Run send(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SendCommand command = new SendCommand(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        int code = new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void sendsValidRecordsByteExactAndRejectsEachInvalidOneWithItsReason(@TempDir Path dir) throws Exception {
        kafka.createTopics(3, List.of("send-test"));
        AgrawalGenerator generator = new AgrawalGenerator(11, DriftPlan.none(2), 0.05, "ok", Clock.systemUTC());
        List<byte[]> valid = new ArrayList<>();
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            byte[] json = generator.next().json();
            valid.add(json);
            file.append(new String(json, StandardCharsets.UTF_8)).append('\n');
            if (i == 10) {
                file.append("{\"id\":\"bad-json\",\"salary\":\n");
            }
            if (i == 20) {
                file.append(new String(valid.get(0), StandardCharsets.UTF_8).replaceFirst("\"id\":\"[^\"]+\",", "")).append('\n');
            }
            if (i == 30) {
                file.append(new String(json, StandardCharsets.UTF_8).replace("\"id\":\"ok-30\"", "\"id\":\"bad-type\"")
                        .replaceFirst("\"age\":[0-9.]+", "\"age\":\"old\"")).append('\n');
            }
            if (i == 40) {
                file.append(new String(json, StandardCharsets.UTF_8).replace("\"id\":\"ok-40\"", "\"id\":\"bad-cat\"")
                        .replaceFirst("\"car\":[0-9]+", "\"car\":\"spaceship\"")).append('\n');
            }
        }
        file.append("{\"id\":\"huge\",\"pad\":\"").append("x".repeat(1_100_000)).append("\"}\n");
        Path input = dir.resolve("events.jsonl");
        Files.writeString(input, file);
        Path rejects = dir.resolve("rejects.txt");

        Run run = send("", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "send-test",
                "--rejects", rejects.toString(), input.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).contains("read 55, sent 50, rejected 5 (invalid), failed 0 (broker)");
        String reasons = Files.readString(rejects);
        assertThat(reasons).contains("events.jsonl:12: malformed JSON")
                .contains("events.jsonl:23: missing required field 'id' (event id)")
                .contains("events.jsonl:34: field 'age' must be a number, got string \"old\"")
                .contains("events.jsonl:45: field 'car' has unknown category 'spaceship'")
                .contains("events.jsonl:55: record is 1100022 bytes; the limit is 1048576");
        assertThat(run.err()).contains("events.jsonl:45: field 'car' has unknown category 'spaceship'").contains("[ingest] rejected ");

        List<ConsumerRecord<byte[], byte[]>> records = readAll("send-test", 50);
        assertThat(records).hasSize(50);
        assertThat(records).extracting(ConsumerRecord::value).usingElementComparator(java.util.Arrays::compare)
                .containsExactlyInAnyOrderElementsOf(valid);
        assertThat(records).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .contains("\"id\":\"" + new String(r.key(), StandardCharsets.UTF_8) + "\""));
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .noneMatch(k -> k.startsWith("bad") || k.equals("huge"));
    }

    @Test
    void sendsCsvAndStdinAndExitsZeroWhenEverythingWentThrough(@TempDir Path dir) throws Exception {
        kafka.createTopics(1, List.of("csv-test"));
        Path csv = dir.resolve("events.csv");
        Files.writeString(csv, """
                id,event_time,salary,commission,age,elevel,car,zipcode,hvalue,hyears,loan,label
                c1,2026-01-01T00:00:00Z,50000,20000,30,1,3,4,300000,10,100000,A
                c2,2026-01-01T00:00:01Z,90000,0,61,4,20,0,900000,25,0,B
                """);
        Run fromCsv = send("", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "csv-test", csv.toString());
        assertThat(fromCsv.exitCode()).as(fromCsv.err()).isZero();

        String line = "{\"id\":\"s1\",\"event_time\":\"2026-01-01T00:00:02Z\",\"salary\":60000,\"commission\":15000,\"age\":45,"
                + "\"elevel\":2,\"car\":5,\"zipcode\":1,\"hvalue\":400000,\"hyears\":3,\"loan\":1000}";
        Run fromStdin = send(line + "\n", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "csv-test");
        assertThat(fromStdin.exitCode()).as(fromStdin.err()).isZero();

        List<ConsumerRecord<byte[], byte[]>> records = readAll("csv-test", 3);
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("c1", "c2", "s1");
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).contains("\"salary\":50000,").contains("\"car\":\"3\"");
        assertThat(records.get(2).value()).isEqualTo(line.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void generatesACountedValidStreamAndTailPrintsIt() {
        kafka.createTopics(2, List.of("gen-test"));
        int code = IngestMain.commandLine().execute("generate", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", "gen-test", "--count", "700", "--rate", "0", "--seed", "9", "--function", "3",
                "--drift-to", "5", "--drift-at-record", "350");
        assertThat(code).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = readAll("gen-test", 700);
        assertThat(records).hasSize(700);
        assertThat(records).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).doesNotHaveDuplicates()
                .contains("agr-9-0", "agr-9-699");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TailCommand tail = new TailCommand(new PrintStream(out, true, StandardCharsets.UTF_8));
        int tailCode = new CommandLine(tail).execute("--bootstrap-servers", kafka.bootstrapServers(), "--topic", "gen-test",
                "--from-beginning", "--max", "5", "--metadata");
        assertThat(tailCode).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(5).allSatisfy(l -> assertThat(l).matches("gen-test/[01]@\\d+ key=agr-9-\\d+ \\{.*\"label\":\"[AB]\"}"));
    }

    @Test
    void tailNamesAMissingTopic() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = IngestMain.commandLine();
        cli.setErr(new java.io.PrintWriter(err, true));
        int code = cli.execute("tail", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "no-such-topic", "--max", "1");
        assertThat(code).as("a --topic that names no topic is a bad argument").isEqualTo(2);
        assertThat(err.toString()).contains("error: topic 'no-such-topic' does not exist on " + kafka.bootstrapServers())
                .doesNotContain("at dev.streamtree");
    }

    @Test
    void generateWithALabelDelaySendsEventsWithoutLabelsAndEachLabelThatMuchLaterOnTheLabelsTopic() {
        kafka.createTopics(1, List.of("gen-delay-events", "gen-delay-labels"));
        int code = IngestMain.commandLine().execute("generate", "--bootstrap-servers", kafka.bootstrapServers(),
                "--topic", "gen-delay-events", "--labels-topic", "gen-delay-labels", "--count", "200", "--rate", "400",
                "--seed", "5", "--label-delay", "1s");
        assertThat(code).isZero();
        List<ConsumerRecord<byte[], byte[]>> events = readAll("gen-delay-events", 200);
        List<ConsumerRecord<byte[], byte[]>> labels = readAll("gen-delay-labels", 200);
        assertThat(events).hasSize(200).allSatisfy(r -> assertThat(new String(r.value(), StandardCharsets.UTF_8))
                .doesNotContain("\"label\""));
        assertThat(labels).hasSize(200);
        // The same seed generates the same labels: each label record carries its event's class, keyed by event id.
        AgrawalGenerator same = new AgrawalGenerator(5, DriftPlan.none(1), 0.05, "agr-5", Clock.systemUTC());
        Map<String, java.time.Instant> eventTimes = new java.util.HashMap<>();
        events.forEach(r -> eventTimes.put(new String(r.key(), StandardCharsets.UTF_8), java.time.Instant.parse(
                new String(r.value(), StandardCharsets.UTF_8).replaceAll(".*\"event_time\":\"([^\"]+)\".*", "$1"))));
        Map<String, String> expected = new java.util.HashMap<>();
        for (int i = 0; i < 200; i++) {
            AgrawalGenerator.Event e = same.next();
            expected.put(e.id(), e.label());
        }
        LabelSpec classes = new LabelSpec("label", List.of("A", "B"));
        for (ConsumerRecord<byte[], byte[]> r : labels) {
            LabelRecord label = LabelRecord.parse(r.key(), r.value(), classes, null);
            assertThat(label.label()).as(label.eventId()).isEqualTo(expected.get(label.eventId()));
            assertThat(Duration.between(eventTimes.get(label.eventId()), label.labelledAt())).as("labelled 1 s after its event")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(1)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void sendLabelsValidatesEachLabelRecordAndRefusesBadLinesNamingThem(@TempDir Path dir) throws Exception {
        kafka.createTopics(1, List.of("send-labels"));
        Path input = dir.resolve("labels.jsonl");
        Files.writeString(input, String.join("\n",
                "{\"event_id\":\"e1\",\"label\":\"A\",\"labelled_at\":\"2026-12-02T10:00:00Z\"}",
                "{\"event_id\":\"e2\",\"label\":\"C\",\"labelled_at\":\"2026-12-02T10:00:00Z\"}",
                "{\"event_id\":\"e3\",\"label\":\"B\"}",
                "{\"label\":\"B\"}",
                "{\"event_id\":\"e5\",\"label\":\"B\",\"labelled_at\":\"yesterday\"}") + "\n");

        Run run = send("", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "send-labels", "--labels",
                input.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.out()).contains("read 5, sent 2, rejected 3 (invalid)");
        assertThat(run.err()).contains("labels.jsonl:2: field 'label' is 'C'; expected one of [A, B]")
                .contains("labels.jsonl:4: field 'event_id' is missing")
                .contains("labels.jsonl:5: field 'labelled_at' is 'yesterday'");
        List<ConsumerRecord<byte[], byte[]>> sent = readAll("send-labels", 2);
        assertThat(sent).extracting(r -> new String(r.key(), StandardCharsets.UTF_8)).containsExactly("e1", "e3");
    }
}
