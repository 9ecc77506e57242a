package dev.streamtree.model.score;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.model.pipeline.ModelWriter;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.conf.HadoopParquetConfiguration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite;
import org.apache.spark.ml.tree.Node;

import java.io.ByteArrayInputStream;
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
 *
 * <p>The files come from storage ({@link #read(String, Configuration)}) or, already in memory, from the registry's
 * integrity check ({@link #read(String, Map)}), which has just read every one of them to hash it: a preparation then
 * reads each file once, and lists no directory. Parquet files are opened as {@link InputFile}s with an explicit
 * configuration: parquet-hadoop's {@code ParquetReader.builder(readSupport, path)} creates a {@code new
 * Configuration()} per file, which parses Hadoop's default XML resources again when read; a profile of 400 checks and
 * loads of depth-10 Agrawal versions found 52% of their time there.
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
     * data (each indexer's Parquet file was about 10 ms, a third of a version's load, when this was added on
     * 2026-12-03, before the Parquet reads took the loader's configuration instead of a new one). Stage files never change
     * once written, and a uid with its metadata names one write. Stages are stateless transformers, safe to share.
     */
    private static final Map<String, Transformer> FEATURE_STAGES = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_STAGES = 256;

    private final Source files;

    private PipelineModelFiles(Source files) {
        this.files = files;
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
            return new PipelineModelFiles(new Stored(root.getFileSystem(conf), conf)).pipeline(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model files under " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The pipeline model saved at {@code location}, from the content of its files as read before: every file under
     * {@code location}, by its path relative to it ('/'-separated). Nothing is read from storage; {@code location}
     * names the files in messages. Gives the same model as {@link #read(String, Configuration)} on those files.
     *
     * @throws IllegalArgumentException naming what is not in the expected layout (a file not given is a file missing)
     * @throws UncheckedIOException     when a given file does not parse as the Parquet file it should be
     */
    public static PipelineModel read(String location, Map<String, byte[]> files) {
        Path root = new Path(location);
        try {
            return new PipelineModelFiles(new InMemory(root, files)).pipeline(root);
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
        return new String(files.bytes(file), StandardCharsets.UTF_8).lines().findFirst().orElse("");
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
        for (Path file : files.partFiles(dir, ".parquet")) {
            try (ParquetReader<Group> reader = new GroupReader(files.parquet(file), files.parquetConf()).build()) {
                for (Group row = reader.read(); row != null; row = reader.read()) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private Path partFile(Path dir, String suffix, Path stage) throws IOException {
        List<Path> parts = files.partFiles(dir, suffix);
        if (parts.size() != 1) {
            throw new IllegalArgumentException(stage + " has " + parts.size() + " " + suffix + " part files in "
                    + dir.getName() + ", expected 1");
        }
        return parts.get(0);
    }

    private static boolean isPart(String name, String suffix) {
        return name.startsWith("part-") && name.endsWith(suffix);
    }

    /** Where the model's files are read from: the two ways differ only in these calls. */
    private interface Source {

        /** The part files ({@code part-*<suffix>}) directly in {@code dir}, sorted by name. */
        List<Path> partFiles(Path dir, String suffix) throws IOException;

        byte[] bytes(Path file) throws IOException;

        InputFile parquet(Path file) throws IOException;

        ParquetConfiguration parquetConf();
    }

    /** Files on a Hadoop file system. */
    private record Stored(FileSystem fs, Configuration conf) implements Source {

        @Override
        public List<Path> partFiles(Path dir, String suffix) throws IOException {
            FileStatus[] statuses = fs.listStatus(dir, p -> isPart(p.getName(), suffix));
            Arrays.sort(statuses, Comparator.comparing(s -> s.getPath().getName()));
            List<Path> parts = new ArrayList<>();
            for (FileStatus status : statuses) {
                parts.add(status.getPath());
            }
            return parts;
        }

        @Override
        public byte[] bytes(Path file) throws IOException {
            try (InputStream in = fs.open(file)) {
                return in.readAllBytes();
            }
        }

        @Override
        public InputFile parquet(Path file) throws IOException {
            return HadoopInputFile.fromPath(file, conf);
        }

        @Override
        public ParquetConfiguration parquetConf() {
            return new HadoopParquetConfiguration(conf);
        }
    }

    /** Files read before, by path relative to the model's root. */
    private static final class InMemory implements Source {

        private final String root;
        private final Map<String, byte[]> files;

        InMemory(Path root, Map<String, byte[]> files) {
            this.root = root.toUri().getPath();
            this.files = files;
        }

        @Override
        public List<Path> partFiles(Path dir, String suffix) {
            String prefix = relative(dir) + "/";
            List<String> names = new ArrayList<>();
            for (String path : files.keySet()) {
                if (path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0
                        && isPart(path.substring(prefix.length()), suffix)) {
                    names.add(path.substring(prefix.length()));
                }
            }
            names.sort(null);
            List<Path> parts = new ArrayList<>(names.size());
            for (String name : names) {
                parts.add(new Path(dir, name));
            }
            return parts;
        }

        /** {@code file} is one {@link #partFiles} gave, so it is there. */
        @Override
        public byte[] bytes(Path file) {
            return files.get(relative(file));
        }

        @Override
        public InputFile parquet(Path file) {
            return new ByteArrayInputFile(bytes(file));
        }

        @Override
        public ParquetConfiguration parquetConf() {
            return new PlainParquetConfiguration();
        }

        private String relative(Path path) {
            String absolute = path.toUri().getPath();
            if (!absolute.startsWith(root + "/")) {
                throw new IllegalStateException(path + " is not under " + root);
            }
            return absolute.substring(root.length() + 1);
        }
    }

    /** A Parquet file's content in memory. */
    private record ByteArrayInputFile(byte[] content) implements InputFile {

        @Override
        public long getLength() {
            return content.length;
        }

        @Override
        public SeekableInputStream newStream() {
            Positioned in = new Positioned(content);
            return new DelegatingSeekableInputStream(in) {
                @Override
                public long getPos() {
                    return in.position();
                }

                @Override
                public void seek(long position) throws IOException {
                    in.seek(position);
                }
            };
        }
    }

    private static final class Positioned extends ByteArrayInputStream {

        Positioned(byte[] content) {
            super(content);
        }

        long position() {
            return pos;
        }

        void seek(long position) throws IOException {
            if (position < 0 || position > count) {
                throw new IOException("cannot seek to " + position + " in " + count + " bytes");
            }
            pos = (int) position;
        }
    }

    /** Parquet's row reader over an {@link InputFile} with the given configuration, rows as example {@link Group}s. */
    private static final class GroupReader extends ParquetReader.Builder<Group> {

        GroupReader(InputFile file, ParquetConfiguration conf) {
            super(file, conf);
        }

        @Override
        protected ReadSupport<Group> getReadSupport() {
            return new GroupReadSupport();
        }
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
