package dev.streamtree.notebooks;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.retrain.RetrainConfig;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.RetrainOutcome;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.testing.TestSpark;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs notebooks/streamtree.zpln against what a real local run leaves behind: Agrawal events sent to a real Kafka
 * broker ({@link TestKafka}), written to the catalogued lake by the real streaming job on local Spark, and a
 * version trained and promoted by the real retrain job. Every %sql paragraph runs through {@code spark.sql}, every
 * %spark paragraph through the Scala REPL with this test's session bound as {@code spark}, the note forms filled
 * as Zeppelin fills them.
 */
class StreamtreeNoteIT {

    static final Path NOTE = Path.of("streamtree.zpln");
    private static final String DATABASE = "notebook_it";
    private static final String TABLE = "events";
    private static final int EVENTS = 2000;
    private static final Instant FIRST = Instant.parse("2024-05-01T20:00:00Z");
    private static final Duration APART = Duration.ofSeconds(7);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    static Path work;

    static TestKafka kafka;
    static SparkSession spark;
    static Map<String, Long> sentPerClass = new TreeMap<>();
    static Map<String, Long> sentPerHour = new TreeMap<>();
    static FileSystemModelRegistry registry;
    static VersionId promoted;

    @BeforeAll
    static void runTheLoopOnce() throws Exception {
        kafka = TestKafka.start();
        spark = TestSpark.local("StreamtreeNoteIT");
        Topics topics = new Topics("note.events", "note.dlq", "note.predictions", "note.control");
        kafka.createTopics(2, List.of(topics.events()));
        kafka.createTopics(1, List.of(topics.deadLetters(), topics.predictions(), topics.control()));
        String lake = work.resolve("lake").toString();
        String registryRoot = work.resolve("registry").toString();

        StreamingConfig config = StreamingConfig.defaults(KafkaSettings.of(kafka.bootstrapServers()))
                .withTopics(topics)
                .withLocations(lake, registryRoot, work.resolve("checkpoint").toString())
                .withTable(DATABASE, TABLE)
                .withTrigger(Duration.ofSeconds(1), 0);
        try (StreamingJob job = StreamingJob.start(spark, config)) {
            send(topics.events());
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (job.status().eventsToLake() < EVENTS) {
                assertThat(job.query().exception().isEmpty()).as("streaming query failed: %s", job.query().exception()).isTrue();
                assertThat(Instant.now()).as("%d of %d events in the lake after %s", job.status().eventsToLake(), EVENTS,
                        TIMEOUT).isBefore(deadline);
                job.query().awaitTermination(200);
            }
            assertThat(job.status().eventsToLake()).isEqualTo(EVENTS);
        }

        RetrainConfig retrain = RetrainConfig.builder().lake(lake).registry(registryRoot)
                .catalog(CatalogKind.LOCAL, DATABASE, TABLE, null)
                .window(TrainingWindow.lastRows(EVENTS)).minRows(500)
                .grid(new SearchGrid(List.of(5), List.of(1), List.of("gini")))
                // One grid point: a validation split instead of 5-fold cross-validation chooses it just as well, faster.
                .crossValidationBelowRows(0)
                // Through Spark ML, as the note's recipe: a tree grown on the driver can differ from it (docs/retrain.md).
                .driverRows(0)
                .build();
        RetrainOutcome outcome = RetrainJob.run(spark, retrain);
        assertThat(outcome.promoted()).as(outcome.summary()).isTrue();
        promoted = outcome.candidate();
        registry = FileSystemModelRegistry.open(registryRoot, spark.sparkContext().hadoopConfiguration());
        assertThat(registry.current()).contains(promoted);

        // A second run with a fresh checkpoint, into a table of its own, scores every event again with the promoted
        // version: the predictions table then holds one prediction per event (the events table stays as it was).
        StreamingConfig rescore = config.withLocations(lake, registryRoot, work.resolve("rescore-checkpoint").toString())
                .withTable(DATABASE, "rescored");
        try (StreamingJob job = StreamingJob.start(spark, rescore, registry)) {
            Instant deadline = Instant.now().plus(TIMEOUT);
            while (job.status().predictions() < EVENTS) {
                assertThat(job.query().exception().isEmpty()).as("streaming query failed: %s", job.query().exception()).isTrue();
                assertThat(Instant.now()).as("%d of %d predictions after %s", job.status().predictions(), EVENTS,
                        TIMEOUT).isBefore(deadline);
                job.query().awaitTermination(200);
            }
            job.commitLake();
        }
    }

    /** Agrawal function 1, 5% perturbation, one event every {@link #APART} of event time from {@link #FIRST}. */
    private static void send(String topic) {
        Clock ticking = new Clock() {
            private Instant next = FIRST;

            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                Instant now = next;
                next = next.plus(APART);
                return now;
            }
        };
        AgrawalGenerator generator = new AgrawalGenerator(18, DriftPlan.none(1), 0.05, "note", ticking);
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            for (int i = 0; i < EVENTS; i++) {
                AgrawalGenerator.Event event = generator.next();
                sentPerClass.merge(event.label(), 1L, Long::sum);
                sentPerHour.merge(event.eventTime().toString().substring(0, 13).replace('T', ' ') + ":00", 1L, Long::sum);
                producer.send(new ProducerRecord<>(topic, event.id(), event.json()));
            }
            producer.flush();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (spark != null) {
            spark.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyParagraphRunsOnTheLakeAndTheRegistryAndShowsWhatTheyHold() throws Exception {
        ZeppelinNote note = ZeppelinNote.read(NOTE);
        Map<String, String> forms = Map.of("database", DATABASE, "table", TABLE,
                "registry", work.resolve("registry").toUri().toString(), "version", "current");
        Map<String, List<Row>> sqlResults = new HashMap<>();
        Map<String, String> scalaOutput = new HashMap<>();
        List<String> ran = new ArrayList<>();

        try (ScalaRepl repl = new ScalaRepl(testClasspath())) {
            repl.bind("spark", SparkSession.class.getName(), spark);
            // Zeppelin's ZeppelinContext draws z.show(df) as a table; here it prints the rows.
            assertThat(repl.run("object z { def show(df: org.apache.spark.sql.Dataset[_]): Unit = df.show(1000, false) }").success())
                    .as("the z.show stand-in compiles").isTrue();
            for (ZeppelinNote.Paragraph p : note.paragraphs()) {
                String code = p.filled(forms);
                assertThat(code).as("paragraph '%s' after filling its forms", p.title()).doesNotContain("${");
                switch (p.interpreter()) {
                    case "sql" -> sqlResults.put(p.title(), spark.sql(code).collectAsList());
                    case "spark" -> {
                        ScalaRepl.Outcome outcome = repl.run(code);
                        System.out.println("---- " + p.title() + "\n" + outcome.output());
                        assertThat(outcome.success()).as("paragraph '%s' ran; the REPL said:%n%s", p.title(), outcome.output())
                                .isTrue();
                        scalaOutput.put(p.title(), outcome.output());
                    }
                    case "md" -> {
                        continue;
                    }
                    default -> throw new AssertionError("paragraph '" + p.title() + "' uses %" + p.interpreter()
                            + ", which this test cannot run");
                }
                ran.add(p.title());
            }
        }
        assertThat(ran).as("paragraphs run").containsExactly("Settings", "Events per hour, by class", "Class balance",
                "One numeric feature by hour", "Every feature by hour", "A registry version and its tree",
                "Train a decision tree on the lake", "Accuracy per model version");

        assertThat(scalaOutput.get("Settings")).contains("table " + DATABASE + "." + TABLE + ": " + EVENTS + " rows");

        Map<String, Long> perHour = new TreeMap<>();
        Map<String, Long> perClass = new TreeMap<>();
        for (Row r : sqlResults.get("Events per hour, by class")) {
            perHour.merge(r.getString(0), r.getLong(2), Long::sum);
            perClass.merge(r.getString(1), r.getLong(2), Long::sum);
        }
        assertThat(perHour).as("events per hour").isEqualTo(sentPerHour).hasSizeGreaterThan(2);
        assertThat(perClass).as("events per class, hour by hour").isEqualTo(sentPerClass);
        assertThat(sqlResults.get("Class balance")).as("class balance")
                .extracting(r -> r.getString(0) + "=" + r.getLong(1))
                .containsExactlyElementsOf(sentPerClass.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        assertThat(sqlResults.get("One numeric feature by hour")).as("salary by hour").allSatisfy(r -> {
            assertThat(r.getLong(1)).isEqualTo(sentPerHour.get(r.getString(0)));
            assertThat(r.getDouble(2)).isBetween(20_000.0, r.getDouble(4));
            assertThat(r.getDouble(6)).isBetween(r.getDouble(4), 150_000.0);
        });

        assertThat(sqlResults.get("Accuracy per model version")).as("accuracy per version: the promoted one, every event")
                .singleElement().satisfies(r -> {
                    assertThat(r.getString(0)).isEqualTo(promoted.toString());
                    assertThat(r.getLong(1)).isEqualTo(EVENTS);
                    assertThat(r.getDecimal(3).doubleValue()).isEqualTo((double) r.getLong(2) / EVENTS,
                            org.assertj.core.data.Offset.offset(0.0001)).isBetween(0.8, 1.0);
                });

        assertThat(scalaOutput.get("Every feature by hour"))
                .contains("numeric features: salary, commission, age, hvalue, hyears, loan")
                .contains("categorical features: elevel, car, zipcode")
                .contains("mean_salary", "distinct_car");

        String tree = scalaOutput.get("A registry version and its tree");
        String debugString = FeaturePipeline.tree(PipelineModel.load(registry.modelLocation(promoted))).toDebugString();
        assertThat(tree).as("the printed tree")
                .contains("version " + promoted + ": depth ")
                .contains(registry.versionFile(promoted, "tree.txt").orElseThrow().strip())
                .contains(debugString.lines().skip(1).toList().toArray(new String[0]));

        assertThat(scalaOutput.get("Train a decision tree on the lake"))
                .contains("window: " + EVENTS + " labelled rows")
                .contains("refit on the whole window: same tree as " + promoted + ": true")
                .containsPattern("holdout accuracy: tree fitted here 0\\.(8|9)\\d{3}, version " + promoted + " 0\\.(8|9)\\d{3}")
                // The retrain job recorded the same recipe's holdout accuracy (fitted on the training rows only).
                .contains(String.format(Locale.ROOT, "tree fitted here %.4f",
                        registry.metadata(promoted).metrics().get("accuracy")));
    }

    /** The test's class path as surefire and failsafe pass it (java.class.path is only their booter jar). */
    private static String testClasspath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }
}
