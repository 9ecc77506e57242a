package dev.streamtree.streaming.score;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.pipeline.TreeRenderer;
import dev.streamtree.model.score.PipelineModelFiles;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The compiled scorer and the batch's predictor against Spark's own {@code PipelineModel.transform} on the same rows. */
class TreeScorerTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final List<String> CLASSES = SCHEMA.label().classes();
    private static final Instant SCORED_AT = Instant.parse("2026-11-25T12:00:00Z");
    private static SparkSession spark;
    private static Dataset<Row> rows;
    private static PipelineModel model;

    @BeforeAll
    static void fitModel() {
        spark = TestSpark.local("TreeScorerTest");
        rows = spark.createDataFrame(lakeRows(4000, 7), LakeTable.sparkSchema(SCHEMA)).cache();
        model = FeaturePipeline.fit(rows, SCHEMA, TreeParams.of(8, 1));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void scoresEveryRowExactlyAsThePipelineModelDoes() {
        TreeScorer scorer = TreeScorer.compile(model, SCHEMA, CLASSES);
        // Fresh rows, a tenth of them with a category the schema does not know (the indexer's "unknown" index).
        Dataset<Row> events = spark.createDataFrame(lakeRows(3000, 99), LakeTable.sparkSchema(SCHEMA));
        Map<String, Row> expected = new HashMap<>();
        for (Row row : model.transform(events).select(SCHEMA.idField(), FeaturePipeline.PREDICTION,
                FeaturePipeline.PROBABILITY, FeaturePipeline.FEATURES).collectAsList()) {
            expected.put(row.getString(0), row);
        }

        List<Prediction> predictions = predict(events, new Predictor(scorer, SCHEMA, "v000007", 42, SCORED_AT, true));

        assertThat(predictions).hasSize(3000);
        TreeRenderer renderer = new TreeRenderer(SCHEMA);
        int predictedA = 0;
        for (Prediction prediction : predictions) {
            Row spark = expected.get(prediction.eventId());
            double[] probability = ((Vector) spark.get(2)).toArray();
            assertThat(prediction.predictedClass()).isEqualTo(CLASSES.get((int) spark.getDouble(1)));
            assertThat(prediction.probabilities().keySet()).containsExactlyElementsOf(CLASSES);
            for (int i = 0; i < CLASSES.size(); i++) {
                assertThat(prediction.probabilities().get(CLASSES.get(i))).isEqualTo(probability[i]);
            }
            assertThat(prediction.decisionPath()).isNotEmpty()
                    .isEqualTo(renderer.decisionPath(scorer.tree(), (Vector) spark.get(3)));
            assertThat(prediction.modelVersion()).isEqualTo("v000007");
            assertThat(prediction.batchId()).isEqualTo(42);
            assertThat(prediction.scoredAt()).isEqualTo(SCORED_AT);
            predictedA += prediction.predictedClass().equals("A") ? 1 : 0;
        }
        assertThat(predictedA).as("both classes are predicted").isBetween(1, 2999);
    }

    @Test
    void scoreIsTheTreesProbabilitiesWorkedOutOncePerLeaf() {
        TreeScorer scorer = TreeScorer.compile(model, SCHEMA, CLASSES);
        java.util.Set<TreeScorer.Score> distinct = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Row row : lakeRows(2000, 11)) {
            Object[] values = new Object[SCHEMA.features().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.get(2 + i);
            }
            Vector features = scorer.features(values);
            double[] probabilities = scorer.probabilities(features);
            TreeScorer.Score score = scorer.score(features);
            assertThat(score.predictedClass()).isEqualTo(CLASSES.get(TreeScorer.predictedIndex(probabilities)));
            assertThat(score.probabilities().keySet()).containsExactlyElementsOf(CLASSES);
            for (int i = 0; i < CLASSES.size(); i++) {
                assertThat(score.probabilities().get(CLASSES.get(i))).isEqualTo(probabilities[i]);
            }
            distinct.add(score);
        }
        int leaves = (scorer.tree().numNodes() + 1) / 2;
        assertThat(distinct).as("one score per leaf reached, of the tree's %d leaves", leaves).hasSizeBetween(2, leaves);
    }

    @Test
    void carriesEachEventsTimeAndLeavesTheDecisionPathOutUnlessAsked() {
        TreeScorer scorer = TreeScorer.compile(model, SCHEMA, CLASSES);
        Dataset<Row> events = rows.limit(50);
        Map<String, Instant> times = new HashMap<>();
        for (Row row : events.collectAsList()) {
            times.put(row.getString(0), ((Timestamp) row.get(1)).toInstant());
        }
        for (Prediction prediction : predict(events, new Predictor(scorer, SCHEMA, "v000001", 3, SCORED_AT, false))) {
            assertThat(prediction.eventTime()).isEqualTo(times.get(prediction.eventId()));
            assertThat(prediction.decisionPath()).isEmpty();
            assertThat(prediction.toJson()).doesNotContain(Prediction.DECISION_PATH);
        }
    }

    @Test
    void refusesModelsThatAreNotTheSchemasPipeline() {
        assertThatThrownBy(() -> TreeScorer.compile(model, SCHEMA, List.of("A", "B", "C")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 classes");
        Transformer[] stages = model.stages();
        Transformer[] reordered = stages.clone();
        reordered[0] = stages[1];
        reordered[1] = stages[0];
        assertThatThrownBy(() -> TreeScorer.compile(new PipelineModel("reordered", reordered), SCHEMA, CLASSES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stage 1");
        Transformer[] noTree = java.util.Arrays.copyOf(stages, stages.length - 1);
        assertThatThrownBy(() -> TreeScorer.compile(new PipelineModel("no-tree", noTree), SCHEMA, CLASSES))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stages");
    }

    @Test
    void readsSavedModelFilesIntoTheSameScorerAsSparkWithoutRunningSparkJobs(@TempDir Path dir) throws IOException {
        String location = dir.resolve("model").toString();
        model.write().save(location);
        var sc = spark.sparkContext();

        sc.setJobGroup("direct-read", "direct read", false);
        PipelineModel direct = PipelineModelFiles.read(location, sc.hadoopConfiguration());
        sc.setJobGroup("spark-load", "spark load", false);
        PipelineModel loaded = PipelineModel.load(location);
        sc.clearJobGroup();
        assertThat(sc.statusTracker().getJobIdsForGroup("direct-read")).as("Spark jobs of the direct read").isEmpty();
        assertThat(sc.statusTracker().getJobIdsForGroup("spark-load")).as("Spark jobs of PipelineModel.load").isNotEmpty();

        assertThat(direct.uid()).isEqualTo(loaded.uid());
        assertThat(direct.stages()).extracting(Transformer::uid)
                .containsExactly(java.util.Arrays.stream(loaded.stages()).map(Transformer::uid).toArray(String[]::new));
        TreeScorer fromFiles = TreeScorer.compile(direct, SCHEMA, CLASSES);
        TreeScorer fromSpark = TreeScorer.compile(loaded, SCHEMA, CLASSES);
        assertThat(fromFiles.tree().toDebugString()).isEqualTo(fromSpark.tree().toDebugString());
        assertThat(fromFiles.tree().numNodes()).isGreaterThan(10);
        TreeRenderer renderer = new TreeRenderer(SCHEMA);
        for (Row row : lakeRows(500, 5)) {
            Object[] values = new Object[SCHEMA.features().size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.get(2 + i);
            }
            Vector features = fromFiles.features(values);
            assertThat(features).isEqualTo(fromSpark.features(values));
            assertThat(fromFiles.probabilities(features)).containsExactly(fromSpark.probabilities(features));
            assertThat(renderer.decisionPath(fromFiles.tree(), features))
                    .isEqualTo(renderer.decisionPath(fromSpark.tree(), features));
        }
    }

    @Test
    void directReadNamesAStageStreamtreeModelsNeverContain(@TempDir Path dir) throws IOException {
        Path location = dir.resolve("model");
        model.write().save(location.toString());
        Path metadata;
        try (Stream<Path> files = Files.walk(location)) {
            metadata = files.filter(f -> f.toString().contains("vecAssembler") && f.getFileName().toString().startsWith("part-")
                    && f.toString().endsWith(".txt")).findFirst().orElseThrow();
        }
        Files.writeString(metadata, Files.readString(metadata).replace("org.apache.spark.ml.feature.VectorAssembler",
                "org.apache.spark.ml.feature.Binarizer"));
        Files.deleteIfExists(metadata.resolveSibling("." + metadata.getFileName() + ".crc"));

        assertThatThrownBy(() -> PipelineModelFiles.read(location.toString(), spark.sparkContext().hadoopConfiguration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("org.apache.spark.ml.feature.Binarizer, which streamtree models never contain");
    }

    /**
     * Each lake row's prediction, made in Spark tasks by the batch's {@link Predictor} as the job's batch pass makes
     * it (the predictor shipped to the executors, one event at a time), read back from its JSON.
     */
    private static List<Prediction> predict(Dataset<Row> events, Predictor predictor) {
        int features = SCHEMA.features().size();
        return events.map((MapFunction<Row, String>) row -> {
            Object[] values = new Object[features];
            for (int i = 0; i < features; i++) {
                values[i] = row.get(2 + i);
            }
            return predictor.predict(row.getString(0), ((Timestamp) row.get(1)).toInstant(), values).toJson();
        }, Encoders.STRING()).collectAsList().stream().map(Prediction::parse).toList();
    }

    /** Lake rows: label A when age < 45 and salary >= 60000; one row in ten has an unknown category. */
    private static List<Row> lakeRows(int count, long seed) {
        Random random = new Random(seed);
        Instant start = Instant.parse("2024-04-01T00:00:00Z");
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant time = start.plusSeconds(37L * i);
            List<Object> values = new ArrayList<>();
            values.add("e-" + seed + "-" + i);
            values.add(Timestamp.from(time));
            double age = 0;
            double salary = 0;
            for (Feature feature : SCHEMA.features()) {
                if (feature.isNumeric()) {
                    double min = feature.min() == null ? 0 : feature.min();
                    double max = feature.max() == null ? 1000 : feature.max();
                    double value = Math.floor(min + random.nextDouble() * (max - min));
                    age = feature.name().equals("age") ? value : age;
                    salary = feature.name().equals("salary") ? value : salary;
                    values.add(value);
                } else {
                    values.add(i % 10 == 3 ? "no-such-value" : feature.values().get(random.nextInt(feature.values().size())));
                }
            }
            values.add(age < 45 && salary >= 60000 ? "A" : "B");
            LakePartition partition = LakePartition.of(time);
            values.add(partition.eventDate());
            values.add(partition.eventHour());
            out.add(RowFactory.create(values.toArray()));
        }
        return out;
    }
}
