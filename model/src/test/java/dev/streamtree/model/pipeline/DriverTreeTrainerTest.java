package dev.streamtree.model.pipeline;

import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The driver's tree grower on rows made up here; no Spark session (the model classes need none). */
class DriverTreeTrainerTest {

    @Test
    void findsAThresholdAndACategorySetThatSeparateTheClasses() {
        // class 1 exactly when x > 0.3 or the category is 2; x takes 20 values (a threshold between each two), feature 1
        // has 4 categories
        Random random = new Random(1);
        int n = 1_000;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextInt(20) / 20.0, random.nextInt(4)};
            y[i] = x[i][0] > 0.3 || x[i][1] == 2 ? 1 : 0;
        }
        DecisionTreeClassificationModel tree = new DriverTreeTrainer(new int[] {0, 4}, 2, TreeParams.of(4, 1))
                .fit(new DriverTreeTrainer.Rows(x, y, null));

        for (int i = 0; i < n; i++) {
            assertThat(tree.predict(Vectors.dense(x[i]))).as("row %s", Arrays.toString(x[i])).isEqualTo(y[i]);
        }
        List<Node> internal = internalNodes(tree.rootNode());
        assertThat(internal).as("one cut on x, one category set").hasSize(2);
        assertThat(internal).anySatisfy(node -> assertThat(((InternalNode) node).split()).isInstanceOfSatisfying(
                ContinuousSplit.class, s -> assertThat(s.threshold()).isEqualTo(0.325, org.assertj.core.data.Offset.offset(1e-9))));
        assertThat(internal).anySatisfy(node -> assertThat(((InternalNode) node).split()).isInstanceOfSatisfying(
                CategoricalSplit.class, s -> assertThat(s.numCategories()).isEqualTo(4)));
        assertThat(tree.numFeatures()).isEqualTo(2);
        assertThat(tree.numClasses()).isEqualTo(2);
    }

    @Test
    void triesEveryCategoryPartitionForThreeClasses() {
        // label = category mod 3 over 6 categories: {0,3} -> 0, {1,4} -> 1, {2,5} -> 2; no order of the categories
        // by one number keeps each class's categories together, every partition search does
        int n = 600;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {i % 6};
            y[i] = (i % 6) % 3;
        }
        DecisionTreeClassificationModel tree = new DriverTreeTrainer(new int[] {6}, 3, TreeParams.of(2, 1))
                .fit(new DriverTreeTrainer.Rows(x, y, null));

        for (int c = 0; c < 6; c++) {
            assertThat(tree.predict(Vectors.dense(c))).as("category %d", c).isEqualTo(c % 3);
        }
    }

    @Test
    void everyLeafKeepsTheMinimumRowsAndTheTreeStopsAtItsDepth() {
        Random random = new Random(3);
        int n = 2_000;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble(), random.nextDouble()};
            y[i] = random.nextDouble() < (x[i][0] + x[i][1]) / 2 ? 1 : 0; // noisy: grows as deep as allowed
        }
        DecisionTreeClassificationModel tree = new DriverTreeTrainer(new int[] {0, 0}, 2, TreeParams.of(6, 40))
                .fit(new DriverTreeTrainer.Rows(x, y, null));

        assertThat(tree.depth()).isBetween(2, 6);
        List<LeafNode> leaves = leaves(tree.rootNode());
        assertThat(leaves).allSatisfy(leaf -> assertThat(leaf.impurityStats().rawCount()).isGreaterThanOrEqualTo(40));
        assertThat(leaves.stream().mapToLong(l -> l.impurityStats().rawCount()).sum()).isEqualTo(n);
        assertThat(tree.rootNode().impurityStats().rawCount()).isEqualTo(n);
    }

    @Test
    void siblingLeavesWithOnePredictionAreMerged() {
        // class 0 everywhere except 10% noise: a split may lower the impurity but both sides still predict 0
        Random random = new Random(5);
        int n = 1_000;
        double[][] x = new double[n][];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = new double[] {random.nextDouble()};
            y[i] = random.nextDouble() < (x[i][0] < 0.5 ? 0.05 : 0.2) ? 1 : 0;
        }
        DecisionTreeClassificationModel tree = new DriverTreeTrainer(new int[] {0}, 2, TreeParams.of(5, 50))
                .fit(new DriverTreeTrainer.Rows(x, y, null));

        assertThat(tree.rootNode()).as("every leaf predicts 0, so one leaf is left").isInstanceOf(LeafNode.class);
        assertThat(tree.rootNode().prediction()).isZero();
    }

    @Test
    void rowWeightsDecideALeaf() {
        double[][] x = {{0}, {0}, {0}, {1}, {1}, {1}};
        int[] y = {0, 0, 1, 0, 0, 1};
        DriverTreeTrainer trainer = new DriverTreeTrainer(new int[] {0}, 2, TreeParams.of(1, 1));

        DecisionTreeClassificationModel plain = trainer.fit(new DriverTreeTrainer.Rows(x, y, null));
        DecisionTreeClassificationModel weighted = trainer.fit(new DriverTreeTrainer.Rows(x, y,
                new double[] {1, 1, 5, 1, 1, 1}));

        assertThat(plain.predict(Vectors.dense(0))).isZero();
        assertThat(weighted.predict(Vectors.dense(0))).as("the weight-5 row of class 1 outweighs two of class 0").isEqualTo(1.0);
        assertThat(weighted.predictProbability(Vectors.dense(0)).apply(1)).isCloseTo(5.0 / 7, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void thresholdsAreMidpointsAndAtMostTheSplitCount() {
        assertThat(DriverTreeTrainer.thresholds(new double[] {3, 1, 2, 2, 1}, null, 10)).containsExactly(1.5, 2.5);
        double[] many = new double[10_000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i;
        }
        double[] cuts = DriverTreeTrainer.thresholds(many, null, 9);
        assertThat(cuts).hasSize(9).isSorted();
        assertThat(cuts[4]).as("the median's cut").isBetween(4_900.0, 5_100.0);
        assertThat(DriverTreeTrainer.thresholds(new double[] {7, 7, 7}, null, 10)).isEmpty();
        double[] heavyLow = new double[10_000];
        for (int i = 0; i < heavyLow.length; i++) {
            heavyLow[i] = i < 5_000 ? 3.0 : 1.0;
        }
        assertThat(DriverTreeTrainer.thresholds(many, heavyLow, 1)[0])
                .as("weight 3 below 5,000 and 1 above: half of the 20,000 weight lies below 3,333").isBetween(3_300.0, 3_400.0);
    }

    @Test
    void refusesRowsThatDoNotFitTheSchema() {
        DriverTreeTrainer trainer = new DriverTreeTrainer(new int[] {0, 3}, 2, TreeParams.of(3, 1));
        assertThatThrownBy(() -> trainer.fit(new DriverTreeTrainer.Rows(new double[][] {{0.5, 1}}, new int[] {2}, null)))
                .hasMessage("row 0 has label index 2, outside 0..1");
        assertThatThrownBy(() -> trainer.fit(new DriverTreeTrainer.Rows(new double[][] {{0.5, 1.5}}, new int[] {1}, null)))
                .hasMessage("feature 1 of row 0 is 1.5, not a category index below 3");
        assertThatThrownBy(() -> trainer.fit(new DriverTreeTrainer.Rows(new double[][] {{0.5}}, new int[] {1}, null)))
                .hasMessage("row 0 has 1 features, expected 2");
        assertThatThrownBy(() -> trainer.fit(new DriverTreeTrainer.Rows(new double[0][], new int[0], null)))
                .hasMessage("cannot grow a tree on no rows");
        assertThatThrownBy(() -> new DriverTreeTrainer.Rows(new double[2][], new int[1], null))
                .hasMessageStartingWith("features, labels and weights differ in length");
    }

    private static List<Node> internalNodes(Node node) {
        List<Node> out = new ArrayList<>();
        if (node instanceof InternalNode internal) {
            out.add(internal);
            out.addAll(internalNodes(internal.leftChild()));
            out.addAll(internalNodes(internal.rightChild()));
        }
        return out;
    }

    private static List<LeafNode> leaves(Node node) {
        List<LeafNode> out = new ArrayList<>();
        if (node instanceof InternalNode internal) {
            out.addAll(leaves(internal.leftChild()));
            out.addAll(leaves(internal.rightChild()));
        } else {
            out.add((LeafNode) node);
        }
        return out;
    }
}
