package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.pipeline.DriverTreeTrainer;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Fold assignment and cross-validated selection on one local[2] session. */
class CrossValidationTest {

    private static final EventSchema SCHEMA = SchemaCodec.parse("""
            {"name": "cv", "idField": "id", "eventTimeField": "event_time",
             "features": [{"name": "x", "type": "numeric"}, {"name": "y", "type": "numeric"},
                          {"name": "colour", "type": "categorical", "values": ["red", "green", "blue"]}],
             "label": {"name": "label", "classes": ["no", "yes"]}}""", "test");

    static SparkSession spark;
    static Dataset<Row> rows;

    @BeforeAll
    static void start() {
        spark = TestSpark.local("CrossValidationTest");
        rows = TrainingData.labelled(generate(800, 7), SCHEMA).cache();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** yes when x > 0.5, or when red and y > 0.7; 15% of labels flipped. */
    private static Dataset<Row> generate(int n, long seed) {
        Random random = new Random(seed);
        String[] colours = {"red", "green", "blue"};
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            String colour = colours[random.nextInt(3)];
            boolean yes = x > 0.5 || ("red".equals(colour) && y > 0.7);
            if (random.nextDouble() < 0.15) {
                yes = !yes;
            }
            out.add(RowFactory.create("e-" + i, new Timestamp(1_700_000_000_000L + i * 1000L), x, y, colour, yes ? "yes" : "no"));
        }
        StructType type = new StructType().add("id", DataTypes.StringType).add("event_time", DataTypes.TimestampType)
                .add("x", DataTypes.DoubleType).add("y", DataTypes.DoubleType).add("colour", DataTypes.StringType)
                .add("label", DataTypes.StringType);
        return spark.createDataFrame(out, type);
    }

    private static Map<String, Integer> folds(Dataset<Row> df, int k) {
        return Folds.withFold(df, "id", k).select("id", Folds.FOLD).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getInt(1)));
    }

    @Test
    void foldOfAnEventDependsOnlyOnItsIdSoAReplayRepeatsIt() {
        Map<String, Integer> first = folds(rows, 5);
        Map<String, Integer> reordered = folds(rows.orderBy(col("x").desc()).repartition(3), 5);
        assertThat(reordered).as("same rows, other order and partitioning").isEqualTo(first);
        assertThat(first.values()).allSatisfy(f -> assertThat(f).isBetween(0, 4));
        Map<Integer, Long> sizes = first.values().stream().collect(Collectors.groupingBy(f -> f, Collectors.counting()));
        assertThat(sizes).as("800 rows over 5 folds").hasSize(5).allSatisfy((fold, size) -> assertThat(size).isBetween(120L, 200L));
        assertThatThrownBy(() -> Folds.fold("id", 1)).hasMessage("cross-validation needs at least 2 folds, got 1");
    }

    @Test
    void theDeepestTreeCutAtDepthDPredictsAsATreeFittedAtDepthD() {
        Dataset<Row> encoded = FeaturePipeline.encode(rows, SCHEMA).select(FeaturePipeline.FEATURES, FeaturePipeline.LABEL_INDEX).cache();
        DecisionTreeClassificationModel deep = FeaturePipeline.fitTree(encoded, SCHEMA, TreeParams.of(8, 5));
        List<Row> local = encoded.collectAsList();
        for (int depth : List.of(1, 2, 3, 5)) {
            DecisionTreeClassificationModel shallow = FeaturePipeline.fitTree(encoded, SCHEMA, TreeParams.of(depth, 5));
            for (Row row : local) {
                Vector features = row.getAs(0);
                double cut = ModelSelection.nodeAtDepth(deep.rootNode(), features, depth).prediction();
                assertThat(cut).as("depth %d, row %s", depth, features).isEqualTo(shallow.predict(features));
            }
        }
        encoded.unpersist();
    }

    @Test
    void aTreeGrownOnTheDriverCutAtDepthDPredictsAsOneGrownAtDepthD() {
        Dataset<Row> encoded = FeaturePipeline.encode(rows, SCHEMA).select(FeaturePipeline.FEATURES, FeaturePipeline.LABEL_INDEX);
        DriverTreeTrainer.Rows local = FeaturePipeline.driverRows(encoded, false);
        DecisionTreeClassificationModel deep = FeaturePipeline.fitTreeOnDriver(local, SCHEMA, TreeParams.of(8, 5));
        assertThat(deep.depth()).as("800 noisy rows grow past depth 5").isGreaterThan(5);
        for (int depth : List.of(1, 2, 3, 5)) {
            DecisionTreeClassificationModel shallow = FeaturePipeline.fitTreeOnDriver(local, SCHEMA, TreeParams.of(depth, 5));
            for (double[] x : local.features()) {
                Vector features = Vectors.dense(x);
                double cut = ModelSelection.nodeAtDepth(deep.rootNode(), features, depth).prediction();
                assertThat(cut).as("depth %d, row %s", depth, features).isEqualTo(shallow.predict(features));
            }
        }
    }

    @Test
    void rowsOnTheDriverAreEncodedFoldedAndSplitAsSparkDoesIt() {
        List<Row> collected = rows.collectAsList();
        DriverRows local = DriverRows.of(collected, SCHEMA);
        assertThat(local.size()).isEqualTo(800);

        Map<String, Integer> sparkFolds = folds(rows, 5);
        int[] localFolds = local.folds(5);
        for (int i = 0; i < collected.size(); i++) {
            String id = collected.get(i).getAs("id");
            assertThat(localFolds[i]).as("fold of %s", id).isEqualTo(sparkFolds.get(id));
        }
        List<Row> encoded = FeaturePipeline.encode(rows, SCHEMA).select(FeaturePipeline.FEATURES).collectAsList();
        Vector[] vectors = local.vectors();
        for (int i = 0; i < vectors.length; i++) {
            assertThat(vectors[i]).isEqualTo(encoded.get(i).getAs(0));
        }
        TrainingData.TimeSplit split = TrainingData.splitByTime(rows, SCHEMA, 0.2);
        DriverRows[] localSplit = local.splitByTime(0.2);
        assertThat(localSplit[1].size()).as("the latest fifth, as Spark's approximate quantile cuts it")
                .isEqualTo(split.later().count()).isEqualTo(160);
        assertThat(local.classCounts(SCHEMA)).isEqualTo(FeaturePipeline.classCounts(rows, SCHEMA));
    }

    @Test
    void onTheDriverCrossValidationChoosesAsSparkDoesFromTheSameFolds() {
        SelectionPolicy policy = new SelectionPolicy(new SearchGrid(List.of(2, 4, 12), List.of(1, 20), List.of("gini")),
                Metrics.GateMetric.ACCURACY, 20_000, 3, 0.2);
        DriverRows local = DriverRows.of(rows.collectAsList(), SCHEMA);

        ModelSelection.Choice spark = ModelSelection.select(rows, rows.count(), SCHEMA, policy, false);
        ModelSelection.Choice driver = ModelSelection.selectOnDriver(local, SCHEMA, policy, false);

        assertThat(driver.method()).isEqualTo(spark.method());
        assertThat(driver.fits()).isEqualTo(6);
        assertThat(driver.params()).isEqualTo(spark.params());
        // The same folds and splitting rules: each candidate's out-of-fold accuracy within a point of Spark's (the
        // deepest, leaf-minimum-1 trees differ in a row or two: the two trainers order a categorical's values apart)
        for (int i = 0; i < spark.trials().size(); i++) {
            assertThat(accuracy(driver.trials().get(i))).as(driver.trials().get(i) + " vs " + spark.trials().get(i))
                    .isCloseTo(accuracy(spark.trials().get(i)), org.assertj.core.data.Offset.offset(0.01));
        }
        ModelSelection.Choice weighted = ModelSelection.selectOnDriver(local, SCHEMA, policy, true);
        assertThat(weighted.params().classWeighted()).isTrue();

        SelectionPolicy slice = new SelectionPolicy(new SearchGrid(List.of(2, 4), List.of(1), List.of("gini")),
                Metrics.GateMetric.ACCURACY, 500, 5, 0.2);
        ModelSelection.Choice sliced = ModelSelection.selectOnDriver(local, SCHEMA, slice, false);
        assertThat(sliced.method()).isEqualTo("validation slice of 160 rows (latest 20% of training by event time)");
        assertThat(sliced.fits()).isEqualTo(2);
    }

    private static double accuracy(String trial) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("accuracy ([0-9.]+)").matcher(trial);
        assertThat(m.find()).as(trial).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void crossValidationFitsOncePerFoldAndLeafMinimumAndPrefersAShallowTreeOnNoisyData() {
        SelectionPolicy policy = new SelectionPolicy(new SearchGrid(List.of(2, 4, 12), List.of(1, 20), List.of("gini")),
                Metrics.GateMetric.ACCURACY, 20_000, 3, 0.2);

        ModelSelection.Choice choice = ModelSelection.select(rows, rows.count(), SCHEMA, policy, false);

        assertThat(choice.method()).isEqualTo("3-fold cross-validation on 800 training rows");
        assertThat(choice.fits()).as("3 folds x 2 leaf minimums").isEqualTo(6);
        assertThat(choice.trials()).hasSize(6);
        assertThat(choice.params().maxDepth()).as("15%% label noise: a depth-12 tree overfits").isLessThan(12);
        assertThat(choice.score().rows()).as("every training row scored once, out of fold").isEqualTo(800);
        assertThat(choice.score().accuracy()).isGreaterThan(0.75);

        ModelSelection.Choice replay = ModelSelection.select(rows.orderBy(col("y")), rows.count(), SCHEMA, policy, false);
        assertThat(replay.params()).as("a replay in another row order").isEqualTo(choice.params());
        assertThat(replay.score()).isEqualTo(choice.score());
    }

    @Test
    void aboveTheThresholdTheLatestSliceDecidesWithOneFitPerCandidate() {
        SelectionPolicy policy = new SelectionPolicy(new SearchGrid(List.of(2, 4), List.of(1), List.of("gini")),
                Metrics.GateMetric.ACCURACY, 500, 5, 0.2);

        ModelSelection.Choice choice = ModelSelection.select(rows, rows.count(), SCHEMA, policy, false);

        assertThat(choice.method()).startsWith("validation slice of ").endsWith("(latest 20% of training by event time)");
        assertThat(choice.fits()).isEqualTo(2);
        assertThat(choice.score().rows()).isBetween(140L, 180L);
    }

    @Test
    void classWeightsReachEveryCandidate() {
        ModelSelection.Choice choice = ModelSelection.select(rows, rows.count(), SCHEMA,
                new SelectionPolicy(new SearchGrid(List.of(3), List.of(5), List.of("gini")), Metrics.GateMetric.ACCURACY, 20_000, 3, 0.2),
                true);
        assertThat(choice.params().classWeighted()).isTrue();
        PipelineModel model = FeaturePipeline.fit(rows, SCHEMA, choice.params());
        assertThat(FeaturePipeline.tree(model).getMaxDepth()).isEqualTo(3);
    }
}
