package dev.streamtree.model.pipeline;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
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

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class FeaturePipelineTest {

    /** Label "yes" exactly when colour is "red" or size > 50; class order puts "no" first. */
    static final EventSchema SCHEMA = new EventSchema("toy", "id", "event_time",
            List.of(Feature.numeric("size", 0.0, 100.0), Feature.categorical("colour", List.of("red", "green", "blue"))),
            new LabelSpec("label", List.of("no", "yes")));

    static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("FeaturePipelineTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static Dataset<Row> rows(int n, long seed) {
        StructType type = new StructType()
                .add("id", DataTypes.StringType).add("event_time", DataTypes.TimestampType)
                .add("size", DataTypes.DoubleType).add("colour", DataTypes.StringType).add("label", DataTypes.StringType);
        Random random = new Random(seed);
        List<String> colours = List.of("red", "green", "blue");
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double size = random.nextInt(100);
            String colour = colours.get(random.nextInt(3));
            String label = colour.equals("red") || size > 50 ? "yes" : "no";
            rows.add(RowFactory.create("e" + i, new java.sql.Timestamp(i * 1000L), size, colour, label));
        }
        return spark.createDataFrame(rows, type);
    }

    @Test
    void fittedModelPredictsSchemaClassIndicesAndProbabilities() {
        PipelineModel model = FeaturePipeline.fit(rows(600, 1), SCHEMA, TreeParams.of(4, 1));
        List<Row> scored = model.transform(rows(200, 2)).select("label", "prediction", "probability").collectAsList();
        for (Row row : scored) {
            double expected = SCHEMA.label().indexOf(row.getString(0));
            assertThat(row.getDouble(1)).isEqualTo(expected);
            Vector probability = (Vector) row.get(2);
            assertThat(probability.size()).isEqualTo(2);
            assertThat(probability.apply((int) expected)).isGreaterThan(0.5);
        }
    }

    @Test
    void fitGrowsTheSameTreeAsThePlainPipeline() {
        // More rows than Spark's split-candidate sample (10,000) and fewer bins than distinct sizes, so the
        // candidates come from a sample of the partitions fit reads.
        Dataset<Row> rows = rows(12_000, 5).repartition(3);
        TreeParams params = TreeParams.of(6, 1).withMaxBins(16);
        PipelineModel cached = FeaturePipeline.fit(rows, SCHEMA, params);
        PipelineModel plain = FeaturePipeline.pipeline(SCHEMA, params).fit(FeaturePipeline.labelledRows(rows, SCHEMA));
        assertThat(cached.stages()).hasSameSizeAs(plain.stages());
        assertThat(treeWithoutUid(cached)).isEqualTo(treeWithoutUid(plain)).contains("If (feature 0 <= ");
    }

    private static String treeWithoutUid(PipelineModel model) {
        String debug = FeaturePipeline.tree(model).toDebugString();
        return debug.substring(debug.indexOf('\n'));
    }

    @Test
    void modelScoresRowsWithoutLabelAndWithUnknownCategory() {
        PipelineModel model = FeaturePipeline.fit(rows(600, 3), SCHEMA, TreeParams.of(4, 1));
        Dataset<Row> unlabelled = spark.sql("select 'x' as id, timestamp'2025-01-01 00:00:00' as event_time, "
                + "10.0d as size, 'purple' as colour union all "
                + "select 'y', timestamp'2025-01-01 00:00:00', 80.0d, 'red'");
        List<Row> scored = model.transform(unlabelled).select("id", "prediction", "_idx_colour").orderBy("id").collectAsList();
        assertThat(scored.get(0).getDouble(2)).isEqualTo(3.0); // unknown value -> extra index
        assertThat(scored.get(1).getDouble(2)).isEqualTo(0.0); // "red" is the schema's first value
        assertThat(scored.get(1).getDouble(1)).isEqualTo(1.0); // "yes"
    }

    @Test
    void labelIndexFollowsSchemaClassOrderAndDropsUnknownLabels() {
        Dataset<Row> df = spark.sql("select 'yes' as label union all select 'no' union all select 'maybe' union all select null");
        List<Row> indexed = FeaturePipeline.labelledRows(df, SCHEMA).orderBy("label").collectAsList();
        assertThat(indexed).hasSize(2);
        assertThat(indexed.get(0).<Double>getAs(FeaturePipeline.LABEL_INDEX)).isEqualTo(0.0);
        assertThat(indexed.get(1).<Double>getAs(FeaturePipeline.LABEL_INDEX)).isEqualTo(1.0);
    }

    @Test
    void balancedWeightsAreInverseToClassFrequency() {
        Map<Integer, Double> weights = FeaturePipeline.balancedWeights(new java.util.LinkedHashMap<>(Map.of("no", 900L)) {{
            put("yes", 100L);
        }});
        assertThat(weights.get(0)).isCloseTo(1000.0 / (2 * 900), within(1e-9));
        assertThat(weights.get(1)).isCloseTo(5.0, within(1e-9));
    }

    @Test
    void weightedTreeTrainsOnImbalancedData() {
        PipelineModel model = FeaturePipeline.fit(rows(600, 4), SCHEMA, TreeParams.of(3, 1).withClassWeights());
        assertThat(FeaturePipeline.tree(model).getWeightCol()).isEqualTo(FeaturePipeline.WEIGHT);
        assertThat(model.transform(rows(50, 5)).filter("prediction = 1.0").count()).isPositive();
    }

    @Test
    void modelSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
        PipelineModel model = FeaturePipeline.fit(rows(300, 6), SCHEMA, TreeParams.of(3, 1));
        String location = dir.resolve("model").toUri().toString();
        model.save(location);
        PipelineModel loaded = PipelineModel.load(location);
        assertThat(loaded.transform(rows(100, 7)).select("prediction").collectAsList())
                .isEqualTo(model.transform(rows(100, 7)).select("prediction").collectAsList());
    }

    @Test
    void aTreeGrownOnTheDriverIsSparksTreeAndSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
        // 100 distinct sizes and 3 colours: fewer than the bins, so both trainers cut at every midpoint and find
        // the same tree; the model is then saved and read back by Spark.
        Dataset<Row> training = rows(2_000, 11);
        TreeParams params = TreeParams.of(4, 5);
        PipelineModel spark = FeaturePipeline.fit(training, SCHEMA, params);
        PipelineModel driver = FeaturePipeline.fit(training, SCHEMA, params, FeaturePipeline.Trainer.DRIVER);

        assertThat(treeWithoutUid(driver)).isEqualTo(treeWithoutUid(spark));
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(driver);
        assertThat(tree.getMaxDepth()).isEqualTo(4);
        assertThat(tree.getMinInstancesPerNode()).isEqualTo(5);
        assertThat(tree.getFeaturesCol()).isEqualTo(FeaturePipeline.FEATURES);
        assertThat(tree.getProbabilityCol()).isEqualTo(FeaturePipeline.PROBABILITY);

        String location = dir.resolve("driver-model").toUri().toString();
        driver.save(location);
        Dataset<Row> test = rows(300, 12);
        List<Row> expected = spark.transform(test).select("id", "prediction", "probability").collectAsList();
        assertThat(PipelineModel.load(location).transform(test).select("id", "prediction", "probability").collectAsList())
                .isEqualTo(expected);
    }

    @Test
    void theModelWriterLaysOutSparksFilesWithOnlyTheTreesJobsAndBothLoadersReadThem(@TempDir Path dir) throws Exception {
        PipelineModel model = FeaturePipeline.fit(rows(800, 13), SCHEMA, TreeParams.of(4, 5), FeaturePipeline.Trainer.DRIVER);
        String bySpark = dir.resolve("spark").toUri().toString();
        ModelWriter.save(model, SCHEMA, dir.resolve("warm-up").toUri().toString(), spark.sparkContext().hadoopConfiguration());

        int sparkJobs = jobs(() -> model.save(bySpark));
        int treeJobs = jobs(() -> FeaturePipeline.tree(model).save(dir.resolve("tree-only").toUri().toString()));
        String written = dir.resolve("written").toUri().toString();
        int writerJobs = jobs(() -> ModelWriter.save(model, SCHEMA, written, spark.sparkContext().hadoopConfiguration()));

        assertThat(writerJobs).as("jobs: Spark's save %d, the tree's alone %d, this writer %d", sparkJobs, treeJobs, writerJobs)
                .isEqualTo(treeJobs).isLessThan(sparkJobs);
        assertThat(listing(dir.resolve("written"))).isEqualTo(listing(dir.resolve("spark")));
        Dataset<Row> test = rows(300, 14);
        List<Row> expected = model.transform(test).select("id", "prediction", "probability").collectAsList();
        assertThat(PipelineModel.load(written).transform(test).select("id", "prediction", "probability").collectAsList())
                .isEqualTo(expected);
        PipelineModel fast = dev.streamtree.model.score.PipelineModelFiles.read(written, spark.sparkContext().hadoopConfiguration());
        assertThat(FeaturePipeline.tree(fast).toDebugString()).isEqualTo(FeaturePipeline.tree(model).toDebugString());
        assertThat(ModelWriter.stageDirectory(3, 12, "dtc_1")).isEqualTo("03_dtc_1");
    }

    /** Stage directories and the data files in them, without Spark's generated part-file names. */
    private static List<String> listing(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
            return files.filter(java.nio.file.Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replaceAll("part-[^/]*", "part"))
                    .distinct().sorted().toList();
        }
    }

    /** Spark jobs {@code action} started. */
    private static int jobs(ThrowingRunnable action) throws Exception {
        JobCounter counter = new JobCounter();
        spark.sparkContext().addSparkListener(counter);
        try {
            action.run();
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
        return counter.count.get();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static final class JobCounter extends org.apache.spark.scheduler.SparkListener {
        final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart jobStart) {
            count.incrementAndGet();
        }
    }

    @Test
    void schemaWithoutLabelCannotBeTrained() {
        EventSchema unlabelled = new EventSchema("toy", "id", "event_time", SCHEMA.features(), null);
        assertThatThrownBy(() -> FeaturePipeline.fit(rows(10, 8), unlabelled, TreeParams.of(2, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("schema 'toy' has no label");
    }

    @Test
    void treeParamsNameBadValues() {
        assertThatThrownBy(() -> new TreeParams(0, 1, "gini", 32, false)).hasMessage("maxDepth must be 1..30, got 0");
        assertThatThrownBy(() -> new TreeParams(3, 1, "variance", 32, false)).hasMessageContaining("'variance'");
    }

    @Test
    void rendersRulesWithFeatureAndCategoryNames() {
        PipelineModel model = FeaturePipeline.fit(rows(800, 9), SCHEMA, TreeParams.of(3, 1));
        TreeRenderer renderer = new TreeRenderer(SCHEMA);
        String text = renderer.text(FeaturePipeline.tree(model));
        assertThat(text).contains("if size <= ", "colour in {", "predict yes", "predict no").doesNotContain("feature 0");
        assertThat(text).containsPattern("colour in \\{[a-z, ()]*red");
        String dot = renderer.dot(FeaturePipeline.tree(model));
        assertThat(dot).startsWith("digraph tree {").contains("-> n1 [label=\"true\"]").endsWith("}\n");
        Row red = model.transform(rows(50, 10)).filter("colour = 'red' and size < 40").first();
        List<String> path = renderer.decisionPath(FeaturePipeline.tree(model), (Vector) red.getAs(FeaturePipeline.FEATURES));
        assertThat(path).isNotEmpty().anyMatch(step -> step.startsWith("colour in {") && step.contains("red"));
    }
}
