package dev.streamtree.launcher.reliability;

import dev.streamtree.kafka.embedded.EmbeddedKafka;
import dev.streamtree.launcher.Launcher;
import dev.streamtree.streaming.StreamingCommand;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real broker and real local Spark: every Kafka client of the loop (ingest producer and consumer, the streaming job's
 * Spark source and dead-letter sink, the retrain control channel) runs with a {@code --kafka-properties} file that
 * holds recognisable fake secrets (SCRAM JAAS password, TLS store passwords). The broker speaks PLAINTEXT, so the
 * clients ignore them. Kafka and Spark log at INFO into a captured appender, and stdout/stderr are captured too:
 * the settings must reach every client (their config dumps show the file's SASL mechanism) and no secret may appear.
 */
class SecurityIT {

    private static final List<String> SECRETS = List.of("S3cret-jaas-4711", "S3cret-trust-4711", "S3cret-keystore-4711",
            "S3cret-key-4711");

    @TempDir
    Path work;

    @Test
    void clientsTakeThePropertiesFileAndNoSecretIsLogged() throws Exception {
        Path properties = work.resolve("client.properties");
        Files.writeString(properties, String.join("\n",
                "security.protocol=PLAINTEXT",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"streamtree\" password=\""
                        + SECRETS.get(0) + "\";",
                "ssl.truststore.password=" + SECRETS.get(1),
                "ssl.keystore.password=" + SECRETS.get(2),
                "ssl.key.password=" + SECRETS.get(3)) + "\n");

        StringWriter logs = new StringWriter();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        WriterAppender appender = WriterAppender.newBuilder().setName("security-capture").setTarget(logs)
                .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%throwable").build()).build();
        appender.start();
        context.getConfiguration().addAppender(appender);
        context.getRootLogger().addAppender(appender);
        Configurator.setRootLevel(Level.INFO);
        Configurator.setLevel("org.apache.kafka", Level.INFO);
        Configurator.setLevel("org.apache.spark", Level.INFO);
        Configurator.setLevel("kafka", Level.WARN);

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        System.setOut(new PrintStream(new Tee(originalOut, console), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(originalErr, console), true, StandardCharsets.UTF_8));
        StringWriter cliOutput = new StringWriter();
        SparkSession spark = null;
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            String servers = kafka.bootstrapServers();
            kafka.createTopics(1, List.of("sec.events", "sec.dlq", "sec.predictions", "sec.control"));

            assertThat(launcher(cliOutput, "ingest", "generate", "--bootstrap-servers", servers, "--kafka-properties",
                    properties.toString(), "--topic", "sec.events", "--count", "300", "--rate", "0")).isZero();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(plain(servers))) {
                producer.send(new ProducerRecord<>("sec.events", "not-json", "{\"id\": ")).get();
            }

            spark = TestSpark.local("SecurityIT");
            StreamingCommand command = new StreamingCommand();
            new CommandLine(command).parseArgs("--bootstrap-servers", servers, "--kafka-properties", properties.toString(),
                    "--events-topic", "sec.events", "--dlq-topic", "sec.dlq", "--predictions-topic", "sec.predictions",
                    "--lake", work.resolve("lake").toString(), "--registry", work.resolve("registry").toString(),
                    "--checkpoint", work.resolve("checkpoint").toString(), "--database", "streamtree_sec",
                    "--trigger-interval", "1s");
            StreamingJob job = StreamingJob.start(spark, command.toConfig());
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
                while (job.status().eventsToLake() < 300 || job.status().deadLetters() < 1) {
                    assertThat(job.query().exception().isEmpty()).as("query failed: " + job.query().exception()).isTrue();
                    assertThat(System.nanoTime()).as("streaming timed out: " + job.status().summary()).isLessThan(deadline);
                    Thread.sleep(250);
                }
                job.commitLake();
                assertThat(spark.table(job.tableName()).count()).isEqualTo(300);
            } finally {
                job.stop();
            }

            assertThat(launcher(cliOutput, "retrain", "trigger", "--bootstrap-servers", servers, "--kafka-properties",
                    properties.toString(), "--control-topic", "sec.control")).isZero();
            assertThat(launcher(cliOutput, "ingest", "tail", "--bootstrap-servers", servers, "--kafka-properties",
                    properties.toString(), "--topic", "sec.dlq", "--from-beginning", "--max", "1", "--metadata")).isZero();
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
            if (spark != null) {
                spark.stop();
            }
            context.getRootLogger().removeAppender(appender);
            appender.stop();
        }

        String captured = logs + "\n" + console.toString(StandardCharsets.UTF_8) + "\n" + cliOutput;
        Files.writeString(work.resolve("captured.log"), captured);
        // The file reached every kind of client: their config dumps carry its SASL mechanism, with the JAAS config hidden.
        assertThat(configDumps(captured, "ProducerConfig")).as("producer config dumps").isNotEmpty()
                .anyMatch(d -> d.contains("sasl.mechanism = SCRAM-SHA-512") && d.contains("client.id = producer-"));
        assertThat(configDumps(captured, "ConsumerConfig")).as("Spark Kafka source consumer")
                .anyMatch(d -> d.contains("sasl.mechanism = SCRAM-SHA-512") && d.contains("group.id = spark-kafka-source-"));
        assertThat(configDumps(captured, "ProducerConfig").stream().filter(d -> d.contains("sasl.mechanism = SCRAM-SHA-512")).count())
                .as("producers with the file: ingest, dead-letter sink, control channel").isGreaterThanOrEqualTo(3);
        assertThat(captured).contains("sasl.jaas.config = [hidden]").contains("cli tail ok");
        for (String secret : SECRETS) {
            assertThat(captured).as("secret " + secret + " in the captured logs and output").doesNotContain(secret);
        }
    }

    private static List<String> configDumps(String captured, String kind) {
        Matcher m = Pattern.compile(kind + " values:\\s*\\n((?:\\t.*\\n)+)").matcher(captured);
        List<String> dumps = new java.util.ArrayList<>();
        while (m.find()) {
            dumps.add(m.group(1));
        }
        return dumps;
    }

    private static int launcher(StringWriter output, String... args) {
        java.io.PrintWriter writer = new java.io.PrintWriter(output, true);
        int code = Launcher.commandLine().setOut(writer).setErr(writer).execute(args);
        if (args[1].equals("tail") && code == 0) {
            writer.println("cli tail ok");
        }
        return code;
    }

    private static Properties plain(String servers) {
        Properties props = new Properties();
        props.put("bootstrap.servers", servers);
        props.put("key.serializer", StringSerializer.class.getName());
        props.put("value.serializer", StringSerializer.class.getName());
        return props;
    }

    /** Writes to the real stream and to the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws java.io.IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            first.write(b, off, len);
            second.write(b, off, len);
        }
    }
}
