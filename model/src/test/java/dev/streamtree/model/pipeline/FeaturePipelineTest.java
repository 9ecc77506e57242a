package dev.streamtree.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.model.score.PipelineModelFiles;
import dev.streamtree.testing.TestSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
    void theModelWriterWritesSparksFilesWithoutASparkJobAndBothLoadersReadThem(@TempDir Path dir) throws Exception {
        // SCHEMA under a name no other test saves: the first save below is the first of its feature stages in this JVM
        EventSchema schema = new EventSchema("toy_writer", "id", "event_time", SCHEMA.features(),
                SCHEMA.labelSpec().orElseThrow());
        assertThat(schema.fingerprint()).as("the writer's schema has its own feature stages").isNotEqualTo(SCHEMA.fingerprint());
        PipelineModel model = FeaturePipeline.fit(rows(800, 13), schema, TreeParams.of(4, 5), FeaturePipeline.Trainer.DRIVER);
        Configuration conf = spark.sparkContext().hadoopConfiguration();

        model.save(uri(dir, "spark-warm-up"));
        FeaturePipeline.tree(model).save(uri(dir, "tree-warm-up"));
        Run bySpark = jobs(() -> model.save(uri(dir, "spark")));
        Run treeBySpark = jobs(() -> FeaturePipeline.tree(model).save(uri(dir, "tree-only")));
        Run first = jobs(() -> ModelWriter.save(model, schema, uri(dir, "written"), conf));
        List<Run> warm = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String location = uri(dir, "written-again-" + i);
            warm.add(jobs(() -> ModelWriter.save(model, schema, location, conf)));
        }
        System.out.printf(Locale.ROOT, "save: Spark's writer %d jobs %.0f ms (the tree alone %d jobs %.0f ms);"
                        + " ModelWriter first save %d jobs %.0f ms, warm %s jobs, best of %d %.0f ms%n",
                bySpark.jobs(), bySpark.millis(), treeBySpark.jobs(), treeBySpark.millis(), first.jobs(), first.millis(),
                warm.stream().map(Run::jobs).toList(), warm.size(), warm.stream().mapToDouble(Run::millis).min().orElseThrow());

        assertThat(bySpark.jobs()).as("Spark's own save runs jobs (the listener counts them)").isPositive();
        assertThat(first.jobs()).as("Spark jobs of the first save of a schema").isZero();
        assertThat(warm).as("Spark jobs of later saves").extracting(Run::jobs).containsOnly(0);
        assertSameFiles(dir.resolve("written"), dir.resolve("spark"));
        assertSameFiles(dir.resolve("written-again-0"), dir.resolve("spark"));

        Dataset<Row> test = rows(300, 14);
        PipelineModel loaded = PipelineModel.load(uri(dir, "written"));
        assertThat(loaded.transform(test).collectAsList()).as("transform output of the loaded model")
                .isEqualTo(model.transform(test).collectAsList());
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
        assertThat(FeaturePipeline.tree(loaded).toDebugString()).isEqualTo(tree.toDebugString());
        assertThat(FeaturePipeline.tree(loaded).extractParamMap().toString()).as("the loaded tree's params")
                .isEqualTo(tree.extractParamMap().toString());
        PipelineModel fast = PipelineModelFiles.read(uri(dir, "written"), conf);
        assertThat(Arrays.stream(fast.stages()).map(Transformer::uid))
                .containsExactlyElementsOf(Arrays.stream(model.stages()).map(Transformer::uid).toList());
        assertThat(FeaturePipeline.tree(fast).toDebugString()).isEqualTo(tree.toDebugString());
        assertThat(ModelWriter.stageDirectory(3, 12, "dtc_1")).isEqualTo("03_dtc_1");

        // The fast loader reads a feature stage of the same directory name and metadata once: another version written
        // from the same template shares it; the tree is read each time; Spark's save (its own timestamp) is read anew
        PipelineModel again = PipelineModelFiles.read(uri(dir, "written-again-0"), conf);
        PipelineModel sparkSaved = PipelineModelFiles.read(uri(dir, "spark"), conf);
        int last = fast.stages().length - 1;
        for (int i = 0; i < last; i++) {
            assertThat(again.stages()[i]).as("feature stage " + i + " of a copy of the template").isSameAs(fast.stages()[i]);
            assertThat(sparkSaved.stages()[i]).as("feature stage " + i + " of Spark's save").isNotSameAs(fast.stages()[i]);
        }
        assertThat(again.stages()[last]).isNotSameAs(fast.stages()[last]);
        assertThat(FeaturePipeline.tree(again).toDebugString()).isEqualTo(tree.toDebugString());
        assertThat(((StringIndexerModel) sparkSaved.stages()[0]).labelsArray())
                .isDeepEqualTo(((StringIndexerModel) fast.stages()[0]).labelsArray());
    }

    @Test
    void treesWithACategoricalSplitOrASingleLeafAreReadBackAsWritten(@TempDir Path dir) throws Exception {
        // a label that follows colour alone splits only on the categorical feature; a single label class splits nowhere
        Dataset<Row> byColour = rows(600, 15)
                .withColumn("label", functions.when(functions.col("colour").isin("red", "blue"), "yes").otherwise("no"));
        PipelineModel categorical = FeaturePipeline.fit(byColour, SCHEMA, TreeParams.of(3, 1).withImpurity("entropy"),
                FeaturePipeline.Trainer.DRIVER);
        PipelineModel leaf = FeaturePipeline.fit(rows(200, 16).withColumn("label", functions.lit("no")), SCHEMA,
                TreeParams.of(3, 1), FeaturePipeline.Trainer.DRIVER);
        assertThat(FeaturePipeline.tree(categorical).toDebugString()).as("the colour tree")
                .contains("If (feature 1 in {").doesNotContain("feature 0");
        assertThat(FeaturePipeline.tree(leaf).depth()).as("the one-class tree's depth").isZero();

        Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (PipelineModel model : List.of(categorical, leaf)) {
            DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
            String name = tree.depth() == 0 ? "leaf" : "categorical";
            model.save(uri(dir, name + "-by-spark"));
            ModelWriter.save(model, SCHEMA, uri(dir, name), conf);
            assertSameFiles(dir.resolve(name), dir.resolve(name + "-by-spark"));

            DecisionTreeClassificationModel back = FeaturePipeline.tree(PipelineModel.load(uri(dir, name)));
            assertThat(back.toDebugString()).as(name).isEqualTo(tree.toDebugString());
            assertThat(back.numNodes()).as(name).isEqualTo(tree.numNodes());
            assertThat(back.getImpurity()).as(name).isEqualTo(tree.getImpurity());
            assertThat(back.rootNode().impurityStats().stats()).as(name)
                    .containsExactly(tree.rootNode().impurityStats().stats());
            assertThat(back.rootNode().impurityStats().rawCount()).as(name)
                    .isEqualTo(tree.rootNode().impurityStats().rawCount());
        }
    }

    @Test
    void aModelWhoseStagesAreNotTheSchemasOwnIsSavedBySparksWriter(@TempDir Path dir) throws Exception {
        PipelineModel model = FeaturePipeline.fit(rows(300, 17), SCHEMA, TreeParams.of(2, 1), FeaturePipeline.Trainer.DRIVER);
        Transformer[] copies = Arrays.stream(model.stages()).map(s -> (Transformer) s.copy(ParamMap.empty()))
                .toArray(Transformer[]::new);
        PipelineModel copied = new PipelineModel(model.uid(), copies);

        Run save = jobs(() -> ModelWriter.save(copied, SCHEMA, uri(dir, "copied"), spark.sparkContext().hadoopConfiguration()));

        assertThat(save.jobs()).as("Spark jobs of a save through Spark's writer").isPositive();
        Dataset<Row> test = rows(100, 18);
        assertThat(PipelineModel.load(uri(dir, "copied")).transform(test).collectAsList())
                .isEqualTo(model.transform(test).collectAsList());
    }

    private static String uri(Path dir, String name) {
        return dir.resolve(name).toUri().toString();
    }

    /**
     * {@code written} holds the files of {@code bySpark} (part files matched without their generated names): the same
     * metadata JSON but for the timestamp, and data that Spark reads as the same rows, from Parquet files with the same
     * schema and Spark footer keys.
     */
    private static void assertSameFiles(Path written, Path bySpark) throws Exception {
        assertThat(listing(written)).as("files under " + written.getFileName()).isEqualTo(listing(bySpark));
        for (String file : listing(bySpark)) {
            Path part = Path.of(file);
            if (!part.getFileName().toString().equals("part")) {
                continue;
            }
            Path ourDir = written.resolve(part.getParent());
            Path sparkDir = bySpark.resolve(part.getParent());
            if (part.getParent().getFileName().toString().equals("metadata")) {
                assertThat(metadataWithoutTimestamp(ourDir)).as(file).isEqualTo(metadataWithoutTimestamp(sparkDir));
            } else {
                Dataset<Row> ours = spark.read().parquet(ourDir.toUri().toString());
                Dataset<Row> theirs = spark.read().parquet(sparkDir.toUri().toString());
                assertThat(ours.schema()).as(file).isEqualTo(theirs.schema());
                assertThat(ours.collectAsList()).as(file).isEqualTo(theirs.collectAsList());
                ParquetMetadata ourFooter = footer(ourDir);
                ParquetMetadata sparkFooter = footer(sparkDir);
                assertThat(ourFooter.getFileMetaData().getSchema()).as(file)
                        .isEqualTo(sparkFooter.getFileMetaData().getSchema());
                assertThat(ourFooter.getFileMetaData().getKeyValueMetaData()).as(file)
                        .containsAllEntriesOf(sparkFooter.getFileMetaData().getKeyValueMetaData());
                assertThat(codecs(ourFooter)).as(file).isEqualTo(codecs(sparkFooter));
            }
        }
    }

    private static JsonNode metadataWithoutTimestamp(Path dir) throws java.io.IOException {
        ObjectNode json = (ObjectNode) Json.mapper().readTree(java.nio.file.Files.readString(onlyPart(dir)));
        assertThat(json.remove("timestamp")).as("timestamp in " + dir).isNotNull();
        return json;
    }

    private static ParquetMetadata footer(Path dir) throws java.io.IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(onlyPart(dir).toUri()), new Configuration()))) {
            return reader.getFooter();
        }
    }

    private static List<String> codecs(ParquetMetadata footer) {
        return footer.getBlocks().stream().flatMap(b -> b.getColumns().stream()).map(c -> c.getCodec().name()).toList();
    }

    private static Path onlyPart(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(dir)) {
            List<Path> parts = files.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
            assertThat(parts).as("part files in " + dir).hasSize(1);
            return parts.get(0);
        }
    }

    /** Stage directories and the data files in them, without Spark's generated part-file names. */
    /**
     * The files Spark's layout consists of, part-file names generalized; the local checksum file system's {@code .crc}
     * side files (Spark's save writes them, the model writer's raw local one does not) are not part of it.
     */
    private static List<String> listing(Path root) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(root)) {
            return files.filter(java.nio.file.Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".crc"))
                    .map(p -> root.relativize(p).toString().replaceAll("part-[^/]*", "part"))
                    .distinct().sorted().toList();
        }
    }

    /** Spark jobs {@code action} started, and how long it took. */
    private static Run jobs(ThrowingRunnable action) throws Exception {
        JobCounter counter = new JobCounter();
        spark.sparkContext().addSparkListener(counter);
        long nanos;
        try {
            long start = System.nanoTime();
            action.run();
            nanos = System.nanoTime() - start;
            spark.sparkContext().listenerBus().waitUntilEmpty();
        } finally {
            spark.sparkContext().removeSparkListener(counter);
        }
        return new Run(counter.count.get(), nanos / 1e6);
    }

    private record Run(int jobs, double millis) {
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
