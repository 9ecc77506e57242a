package dev.streamtree.bench.parts;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.model.score.TreeScorer;
import org.apache.spark.ml.tree.CategoricalSplit;
import org.apache.spark.ml.tree.ContinuousSplit;
import org.apache.spark.ml.tree.InternalNode;
import org.apache.spark.ml.tree.LeafNode;
import org.apache.spark.ml.tree.Node;
import org.apache.spark.ml.tree.Split;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * A fitted tree as plain Spark column expressions (nested {@code CASE WHEN}), for the benchmark's plain real-time
 * baseline: the same feature encoding as {@link TreeScorer#features} (numeric as double, NaN for null; a category as
 * its index in the schema, unknown as the number of values) and the same splits, so it predicts what the job
 * predicts, with no Java code per record.
 */
final class TreeColumns {

    private TreeColumns() {
    }

    /** The event JSON's fields the expressions read: id and event time as strings, then the features. */
    static StructType eventStruct(EventSchema schema) {
        StructType struct = new StructType().add(schema.idField(), DataTypes.StringType)
                .add(schema.eventTimeField(), DataTypes.StringType);
        for (Feature f : schema.features()) {
            struct = struct.add(f.name(), f.isNumeric() ? DataTypes.DoubleType : DataTypes.StringType);
        }
        return struct;
    }

    /**
     * A struct column {@code (predicted_class string, probabilities map<string,double>)} over the columns named
     * after the schema's features.
     */
    static Column prediction(TreeScorer scorer, EventSchema schema) {
        List<Column> features = new ArrayList<>();
        for (Feature f : schema.features()) {
            if (f.isNumeric()) {
                features.add(functions.coalesce(col(f.name()).cast(DataTypes.DoubleType), lit(Double.NaN)));
            } else {
                Column index = lit((double) f.values().size());
                for (int i = f.values().size() - 1; i >= 0; i--) {
                    index = functions.when(col(f.name()).equalTo(lit(f.values().get(i))), lit((double) i)).otherwise(index);
                }
                features.add(index);
            }
        }
        return node(scorer.tree().rootNode(), features, scorer.classes());
    }

    private static Column node(Node node, List<Column> features, List<String> classes) {
        if (node instanceof LeafNode leaf) {
            double[] stats = leaf.impurityStats().stats();
            double total = Arrays.stream(stats).sum();
            List<Column> map = new ArrayList<>();
            for (int i = 0; i < classes.size(); i++) {
                map.add(lit(classes.get(i)));
                map.add(lit(total == 0 ? 0.0 : stats[i] / total));
            }
            return functions.struct(lit(classes.get((int) leaf.prediction())).as("predicted_class"),
                    functions.map(map.toArray(Column[]::new)).as("probabilities"));
        }
        InternalNode internal = (InternalNode) node;
        Split split = internal.split();
        Column feature = features.get(split.featureIndex());
        Column left;
        if (split instanceof ContinuousSplit continuous) {
            left = feature.leq(lit(continuous.threshold()));
        } else {
            Object[] categories = Arrays.stream(((CategoricalSplit) split).leftCategories()).boxed().toArray();
            left = feature.isin(categories);
        }
        return functions.when(left, node(internal.leftChild(), features, classes))
                .otherwise(node(internal.rightChild(), features, classes));
    }
}
