package dev.streamtree.bench.parts;

import dev.streamtree.bench.BenchSizes;
import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import dev.streamtree.lake.table.LakeRows;
import dev.streamtree.model.fs.LocalFileSystems;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingConfig;
import org.apache.commons.io.file.PathUtils;
import org.apache.spark.SparkConf;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the parts share in one run: the embedded broker, one local SparkSession, the schema, a registry with two
 * trained versions (v1 depth 5, v2 depth 10; trained on first use), and per-part stage profiles for the report.
 */
public final class BenchContext implements AutoCloseable {

    private final BenchSizes sizes;
    private final EventSchema schema = SchemaCodec.load("builtin:agrawal");
    private final Map<String, Map<String, Double>> profiles = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    private EmbeddedKafka kafka;
    private SparkSession spark;
    private FileSystemModelRegistry registry;
    private List<VersionId> versions;

    public BenchContext(BenchSizes sizes) {
        this.sizes = sizes;
        prepareWorkDir(sizes.work());
    }

    private static final String MARKER = ".streamtree-bench";

    /** Empties the scratch directory, refusing one that holds files but was not made by a benchmark run. */
    private static void prepareWorkDir(Path work) {
        try {
            if (Files.isDirectory(work)) {
                try (Stream<Path> entries = Files.list(work)) {
                    if (entries.findAny().isPresent() && !Files.exists(work.resolve(MARKER))) {
                        throw new IllegalArgumentException("--work " + work + " is not empty and was not made by bench/run.sh; "
                                + "choose an empty or new directory");
                    }
                }
            }
            deleteRecursively(work);
            Files.createDirectories(work);
            Files.createFile(work.resolve(MARKER));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the scratch directory " + work + ": " + e.getMessage(), e);
        }
    }

    public BenchSizes sizes() {
        return sizes;
    }

    EventSchema schema() {
        return schema;
    }

    KafkaSettings kafka() {
        if (kafka == null) {
            kafka = EmbeddedKafka.start();
        }
        return KafkaSettings.of(kafka.bootstrapServers());
    }

    SparkSession spark() {
        if (spark == null) {
            SparkSession.Builder builder = SparkSession.builder().appName("streamtree-bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", String.valueOf(sizes.partitions()));
            SparkConf conf = new SparkConf();
            if (!conf.contains("spark.master")) {
                builder.master("local[*]");
            }
            LocalFileSystems.useNio(conf.get("spark.master", "local[*]"));
            spark = builder.getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }

    /** Fresh topics for one part: events, dead letters, predictions, control. */
    Topics topics(String part) {
        String events = "bench." + part + ".events";
        createTopic(events);
        return topicsReading(events, part);
    }

    /** Fresh dead-letter, prediction and control topics for one run that reads an existing events topic. */
    Topics topicsReading(String eventsTopic, String run) {
        Topics topics = new Topics(eventsTopic, "bench." + run + ".dlq", "bench." + run + ".predictions",
                "bench." + run + ".control");
        kafka();
        kafka.createTopics(sizes.partitions(), List.of(topics.deadLetters(), topics.predictions(), topics.control()));
        return topics;
    }

    void createTopic(String topic) {
        kafka();
        kafka.createTopics(sizes.partitions(), List.of(topic));
    }

    Path dir(String name) {
        return sizes.work().resolve(name).toAbsolutePath();
    }

    /** The streaming job's configuration for one part: own topics, lake, checkpoint and table; the shared registry. */
    StreamingConfig streamingConfig(String part, Topics topics, Duration trigger, long maxOffsets) {
        return StreamingConfig.defaults(kafka()).withTopics(topics)
                .withLocations(dir(part + "/lake").toString(), registry().location(), dir(part + "/checkpoint").toString())
                .withTable("bench", part.replaceAll("[^a-z0-9]", "_"))
                .withTrigger(trigger, maxOffsets);
    }

    StreamingJob startJob(StreamingConfig config) {
        return StreamingJob.start(spark(), config);
    }

    FileSystemModelRegistry registry() {
        if (registry == null) {
            registry = FileSystemModelRegistry.open(dir("registry").toString(), spark().sparkContext().hadoopConfiguration());
        }
        return registry;
    }

    /** Two committed versions (depth 5 and depth 10, trained on 20,000 Agrawal events); the first is promoted. */
    synchronized List<VersionId> versions() {
        if (versions == null) {
            Dataset<Row> rows = lakeRows(EventFeed.generate("train", 20_000, 7));
            versions = List.of(commit(rows, TreeParams.of(5, 1)), commit(rows, TreeParams.of(10, 1)));
            registry().promote(versions.get(0), "bench: serving model");
        }
        return versions;
    }

    private Dataset<Row> lakeRows(EventFeed.Batch batch) {
        return LakeRows.of(spark(), new EventValidator(schema), batch.ids(), batch.values()).cache();
    }

    private VersionId commit(Dataset<Row> rows, TreeParams params) {
        PipelineModel model = FeaturePipeline.fit(rows, schema, params);
        try (PendingVersion pending = registry().stage()) {
            model.write().overwrite().save(pending.modelLocation());
            return pending.commit(new ModelMetadata(Instant.now(), schema.fingerprint(), schema.featureNames(),
                    schema.label().classes(), "bench", rows.count(), 0, Map.of(), params.asMap(), Map.of(), Map.of(), null,
                    spark().version(), "bench"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts recording Spark job times by call site (see {@link JobProfiler}). */
    JobProfiler startJobProfile() {
        JobProfiler profiler = new JobProfiler();
        spark().sparkContext().addSparkListener(profiler);
        return profiler;
    }

    /** Stops recording and keeps the per-batch job times and the query's stage times for the report. */
    void endProfile(String part, JobProfiler profiler, ProgressRecorder recorder) {
        spark().sparkContext().removeSparkListener(profiler);
        Map<String, Double> stages = recorder.meanStages();
        double inJobs = profiler.totalPerBatch(recorder.batches());
        stages.put("sparkJobs", inJobs);
        stages.put("addBatchOutsideJobs", Math.round((stages.getOrDefault("addBatch", 0.0) - inJobs) * 10) / 10.0);
        profile(part, stages);
        profile(part + " jobs", profiler.perBatch(recorder.batches()));
    }

    void profile(String part, Map<String, Double> stages) {
        profiles.put(part, stages);
    }

    public Map<String, Map<String, Double>> profiles() {
        return profiles;
    }

    void note(String part, String text) {
        notes.put(part, text);
    }

    public Map<String, String> notes() {
        return notes;
    }

    @Override
    public void close() {
        if (spark != null) {
            spark.stop();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try {
            PathUtils.deleteDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty the scratch directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
