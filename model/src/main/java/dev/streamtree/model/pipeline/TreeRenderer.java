package dev.streamtree.model.pipeline;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Human-readable forms of a tree fitted by {@link FeaturePipeline}: decision rules with feature names and
 * category values (not vector indices), a Graphviz graph, and the path one row takes. Runs on the driver.
 */
public final class TreeRenderer {

    /** Name shown for the index a categorical feature gives to a value outside the schema. */
    public static final String UNKNOWN_CATEGORY = "(unknown)";

    private final EventSchema schema;
    private final List<String> classes;

    public TreeRenderer(EventSchema schema) {
        this.schema = schema;
        this.classes = schema.labelSpec().orElseThrow(() -> new IllegalArgumentException(
                "schema '" + schema.name() + "' has no label")).classes();
    }

    /** Indented if/else rules, one line per node; leaves show the class and the class probabilities. */
    public String text(DecisionTreeClassificationModel tree) {
        StringBuilder out = new StringBuilder();
        out.append("Decision tree: depth ").append(tree.depth()).append(", ").append(tree.numNodes()).append(" nodes, features ")
                .append(schema.featureNames()).append(", classes ").append(classes).append('\n');
        text(tree.rootNode(), 0, out);
        return out.toString();
    }

    private void text(Node node, int depth, StringBuilder out) {
        String indent = "  ".repeat(depth);
        if (node instanceof InternalNode internal) {
            out.append(indent).append("if ").append(condition(internal.split(), true)).append('\n');
            text(internal.leftChild(), depth + 1, out);
            out.append(indent).append("else  # ").append(condition(internal.split(), false)).append('\n');
            text(internal.rightChild(), depth + 1, out);
        } else {
            out.append(indent).append("predict ").append(className(node.prediction())).append(leafDetail(node)).append('\n');
        }
    }

    /** A Graphviz digraph of the tree: internal nodes show their split, edges are labelled true / false. */
    public String dot(DecisionTreeClassificationModel tree) {
        StringBuilder out = new StringBuilder("digraph tree {\n  node [fontname=\"Helvetica\"];\n");
        dot(tree.rootNode(), new int[]{0}, out);
        return out.append("}\n").toString();
    }

    private int dot(Node node, int[] counter, StringBuilder out) {
        int id = counter[0]++;
        if (node instanceof InternalNode internal) {
            out.append("  n").append(id).append(" [shape=ellipse, label=\"").append(escape(condition(internal.split(), true)))
                    .append("\"];\n");
            int left = dot(internal.leftChild(), counter, out);
            int right = dot(internal.rightChild(), counter, out);
            out.append("  n").append(id).append(" -> n").append(left).append(" [label=\"true\"];\n");
            out.append("  n").append(id).append(" -> n").append(right).append(" [label=\"false\"];\n");
        } else {
            out.append("  n").append(id).append(" [shape=box, label=\"").append(escape(className(node.prediction())
                    + leafDetail(node))).append("\"];\n");
        }
        return id;
    }

    /**
     * The conditions a row with these assembled features satisfies on its way from the root to its leaf, e.g.
     * {@code ["salary <= 75000.0", "elevel in {0, 1}"]}.
     */
    public List<String> decisionPath(DecisionTreeClassificationModel tree, Vector features) {
        List<String> path = new ArrayList<>();
        Node node = tree.rootNode();
        while (node instanceof InternalNode internal) {
            boolean left = internal.split().shouldGoLeft(features);
            path.add(condition(internal.split(), left));
            node = left ? internal.leftChild() : internal.rightChild();
        }
        return path;
    }

    /** The split's condition as it reads for the left (true) or the right (false) branch. */
    String condition(Split split, boolean left) {
        Feature feature = schema.features().get(split.featureIndex());
        if (split instanceof ContinuousSplit continuous) {
            return feature.name() + (left ? " <= " : " > ") + number(continuous.threshold());
        }
        CategoricalSplit categorical = (CategoricalSplit) split;
        double[] categories = left ? categorical.leftCategories() : categorical.rightCategories();
        String values = Arrays.stream(categories).sorted()
                .mapToObj(c -> category(feature, (int) c))
                .collect(Collectors.joining(", ", "{", "}"));
        return feature.name() + " in " + values;
    }

    private static String category(Feature feature, int index) {
        return index < feature.values().size() ? feature.values().get(index) : UNKNOWN_CATEGORY;
    }

    private String className(double prediction) {
        int index = (int) prediction;
        return index < classes.size() ? classes.get(index) : "class#" + index;
    }

    private String leafDetail(Node node) {
        double[] stats = node.impurityStats().stats();
        double total = Arrays.stream(stats).sum();
        if (total <= 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < stats.length && i < classes.size(); i++) {
            parts.add(classes.get(i) + " " + String.format(Locale.ROOT, "%.3f", stats[i] / total));
        }
        return " (" + String.join(", ", parts) + "; weight " + number(total) + ")";
    }

    private static String number(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "");
    }

    private static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
