package dev.streamtree.model.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.model.pipeline.ModelWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite;
import org.apache.spark.ml.tree.Node;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a saved Spark {@code PipelineModel} of the stages streamtree models contain (string indexers, a vector
 * assembler, a decision tree classifier) straight from its files on the driver, without running Spark jobs.
 *
 * <p>{@code PipelineModel.load} reads each stage's metadata and data with a small Spark job, about 19 for an
 * Agrawal model: around a second on an idle machine, and several seconds while a busy stream holds the task slots.
 * This reads the same files (the metadata JSON, the stages' Parquet data) with plain Hadoop and Parquet readers and
 * builds the same objects, the tree through Spark's own node builder. A file layout it does not know (another
 * stage class, another Parquet shape) is an {@link IllegalArgumentException} naming it; the streaming job's
 * loader then loads the model through Spark.
 */
public final class PipelineModelFiles {

    private static final String PIPELINE = "org.apache.spark.ml.PipelineModel";
    private static final String STRING_INDEXER = "org.apache.spark.ml.feature.StringIndexerModel";
    private static final String ASSEMBLER = "org.apache.spark.ml.feature.VectorAssembler";
    private static final String TREE = "org.apache.spark.ml.classification.DecisionTreeClassificationModel";

    /**
     * Feature stages read before, by stage directory name (index and uid) and metadata text (timestamp to the
     * millisecond included). Every model of a schema saved by one retrain process carries the same feature stages
     * (the same uids, copied from one template by {@link ModelWriter}), so a new version's load reads only its tree's
     * data: each indexer's Parquet file costs about 10 ms here, a third of a version's load. Stage files never change
     * once written, and a uid with its metadata names one write. Stages are stateless transformers, safe to share.
     */
    private static final Map<String, Transformer> FEATURE_STAGES = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_STAGES = 256;

    private final FileSystem fs;
    private final Configuration conf;

    private PipelineModelFiles(FileSystem fs, Configuration conf) {
        this.fs = fs;
        this.conf = conf;
    }

    /**
     * The pipeline model saved at {@code location}.
     *
     * @throws IllegalArgumentException naming what is not in the expected layout
     * @throws UncheckedIOException     when a file cannot be read
     */
    public static PipelineModel read(String location, Configuration conf) {
        Path root = new Path(location);
        try {
            return new PipelineModelFiles(root.getFileSystem(conf), conf).pipeline(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model files under " + location + ": " + e.getMessage(), e);
        }
    }

    private PipelineModel pipeline(Path root) throws IOException {
        JsonNode metadata = metadata(root, PIPELINE);
        JsonNode uids = metadata.path("paramMap").path("stageUids");
        if (!uids.isArray() || uids.isEmpty()) {
            throw new IllegalArgumentException("pipeline metadata under " + root + " lists no stageUids");
        }
        Transformer[] stages = new Transformer[uids.size()];
        for (int i = 0; i < stages.length; i++) {
            stages[i] = stage(new Path(root, "stages/" + ModelWriter.stageDirectory(i, stages.length, uids.get(i).asText())));
        }
        return new PipelineModel(metadata.path("uid").asText(), stages);
    }

    private Transformer stage(Path dir) throws IOException {
        String text = metadataText(dir);
        JsonNode metadata = json(text, dir, null);
        String kind = metadata.path("class").asText();
        if (kind.equals(TREE)) {
            return build(dir, metadata, kind);
        }
        String key = dir.getName() + "\n" + text;
        Transformer known = FEATURE_STAGES.get(key);
        if (known != null) {
            return known;
        }
        Transformer stage = build(dir, metadata, kind);
        if (FEATURE_STAGES.size() >= MAX_CACHED_STAGES) {
            FEATURE_STAGES.clear();
        }
        FEATURE_STAGES.put(key, stage);
        return stage;
    }

    private Transformer build(Path dir, JsonNode metadata, String kind) throws IOException {
        String uid = metadata.path("uid").asText();
        JsonNode params = metadata.path("paramMap");
        switch (kind) {
            case STRING_INDEXER -> {
                String[][] labels = labelsArray(single(parquetRows(new Path(dir, "data")), dir));
                return new StringIndexerModel(uid, labels)
                        .setInputCol(text(params, "inputCol", dir))
                        .setOutputCol(text(params, "outputCol", dir))
                        .setHandleInvalid(params.path("handleInvalid").asText("error"));
            }
            case ASSEMBLER -> {
                JsonNode inputs = params.path("inputCols");
                String[] columns = new String[inputs.size()];
                for (int i = 0; i < columns.length; i++) {
                    columns[i] = inputs.get(i).asText();
                }
                return new VectorAssembler(uid).setInputCols(columns).setOutputCol(text(params, "outputCol", dir))
                        .setHandleInvalid(params.path("handleInvalid").asText("error"));
            }
            case TREE -> {
                return tree(dir, metadata, uid, params);
            }
            default -> throw new IllegalArgumentException("stage " + dir.getName() + " is a " + kind
                    + ", which streamtree models never contain");
        }
    }

    private DecisionTreeClassificationModel tree(Path dir, JsonNode metadata, String uid, JsonNode params)
            throws IOException {
        if (params.has("thresholds")) {
            throw new IllegalArgumentException("model's tree sets class thresholds, which streamtree models never do");
        }
        List<DecisionTreeModelReadWrite.NodeData> nodes = new ArrayList<>();
        for (Group row : parquetRows(new Path(dir, "data"))) {
            Group split = row.getGroup("split", 0);
            nodes.add(new DecisionTreeModelReadWrite.NodeData(row.getInteger("id", 0), row.getDouble("prediction", 0),
                    row.getDouble("impurity", 0), doubles(row.getGroup("impurityStats", 0)), row.getLong("rawCount", 0),
                    row.getDouble("gain", 0), row.getInteger("leftChild", 0), row.getInteger("rightChild", 0),
                    new DecisionTreeModelReadWrite.SplitData(split.getInteger("featureIndex", 0),
                            doubles(split.getGroup("leftCategoriesOrThreshold", 0)),
                            split.getInteger("numCategories", 0))));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("tree stage " + dir.getName() + " has no nodes");
        }
        String impurity = params.path("impurity").asText(metadata.path("defaultParamMap").path("impurity").asText("gini"));
        Node root = DecisionTreeModelReadWrite.buildTreeFromNodes(
                nodes.toArray(new DecisionTreeModelReadWrite.NodeData[0]), impurity);
        return new DecisionTreeClassificationModel(uid, root, metadata.path("numFeatures").asInt(),
                metadata.path("numClasses").asInt());
    }

    private JsonNode metadata(Path dir, String expectedClass) throws IOException {
        return json(metadataText(dir), dir, expectedClass);
    }

    /** The first line of the stage's metadata part file: its JSON. */
    private String metadataText(Path dir) throws IOException {
        Path file = partFile(new Path(dir, "metadata"), ".txt", dir);
        try (InputStream in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElse("");
        }
    }

    private static JsonNode json(String text, Path dir, String expectedClass) throws IOException {
        JsonNode json = Json.mapper().readTree(text);
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException("metadata of " + dir + " is not a JSON object");
        }
        if (expectedClass != null && !expectedClass.equals(json.path("class").asText())) {
            throw new IllegalArgumentException(dir + " holds a " + json.path("class").asText() + ", not a "
                    + expectedClass);
        }
        return json;
    }

    private List<Group> parquetRows(Path dir) throws IOException {
        List<Group> rows = new ArrayList<>();
        for (Path file : partFiles(dir, ".parquet")) {
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf).build()) {
                for (Group row = reader.read(); row != null; row = reader.read()) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private Path partFile(Path dir, String suffix, Path stage) throws IOException {
        List<Path> files = partFiles(dir, suffix);
        if (files.size() != 1) {
            throw new IllegalArgumentException(stage + " has " + files.size() + " " + suffix + " part files in "
                    + dir.getName() + ", expected 1");
        }
        return files.get(0);
    }

    private List<Path> partFiles(Path dir, String suffix) throws IOException {
        FileStatus[] statuses = fs.listStatus(dir, p -> p.getName().startsWith("part-") && p.getName().endsWith(suffix));
        Arrays.sort(statuses, Comparator.comparing(s -> s.getPath().getName()));
        List<Path> files = new ArrayList<>();
        for (FileStatus status : statuses) {
            files.add(status.getPath());
        }
        return files;
    }

    private static Group single(List<Group> rows, Path dir) {
        if (rows.size() != 1) {
            throw new IllegalArgumentException("data of " + dir.getName() + " has " + rows.size() + " rows, expected 1");
        }
        return rows.get(0);
    }

    /** {@code labelsArray: array<array<string>>}, in Parquet's three-level list form. */
    private static String[][] labelsArray(Group row) {
        Group outer = row.getGroup("labelsArray", 0);
        int n = outer.getFieldRepetitionCount("list");
        String[][] labels = new String[n][];
        for (int i = 0; i < n; i++) {
            Group inner = outer.getGroup("list", i).getGroup("element", 0);
            int m = inner.getFieldRepetitionCount("list");
            labels[i] = new String[m];
            for (int j = 0; j < m; j++) {
                labels[i][j] = inner.getGroup("list", j).getString("element", 0);
            }
        }
        return labels;
    }

    /** {@code array<double>}, in Parquet's three-level list form. */
    private static double[] doubles(Group list) {
        int n = list.getFieldRepetitionCount("list");
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = list.getGroup("list", i).getDouble("element", 0);
        }
        return values;
    }

    private static String text(JsonNode params, String name, Path dir) {
        JsonNode value = params.get(name);
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException("stage " + dir.getName() + " sets no " + name);
        }
        return value.asText();
    }
}
