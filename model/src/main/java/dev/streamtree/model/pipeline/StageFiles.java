package dev.streamtree.model.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.model.fs.NioLocalFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.feature.StringIndexerModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.tree.DecisionTreeModelReadWrite;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.collection.Iterator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes one pipeline stage's files as Spark 4.1's ML writers do, on the calling thread with Hadoop's file system and
 * parquet-hadoop, so that no Spark job runs: {@code metadata/} holds the JSON of Spark's {@code DefaultParamsWriter}
 * (class, timestamp, Spark version, uid, the set and the default params, then the stage's extra fields) and
 * {@code data/} the Parquet rows of the stage's data, each directory with its {@code _SUCCESS} marker and part files
 * named as Spark names them. The Parquet files have Spark's schema and its row-schema footer key, and are
 * snappy-compressed as under Spark's default codec; {@code PipelineModel.load} reads them as Spark's own.
 *
 * <p>Covered: {@link StringIndexerModel} (data: its {@code labelsArray}), {@link VectorAssembler} (metadata only) and
 * {@link DecisionTreeClassificationModel} (extra fields {@code numFeatures}, {@code numClasses}; data: one row per
 * node numbered by Spark's own {@code NodeData.build}). Any other stage is left to Spark's writer.
 */
final class StageFiles {

    /** Footer keys Spark's Parquet writer adds and its reader takes the row schema (nullability included) from. */
    static final String SPARK_VERSION_KEY = "org.apache.spark.version";
    static final String SPARK_ROW_SCHEMA_KEY = "org.apache.spark.sql.parquet.row.metadata";

    private static final String SPARK_VERSION = org.apache.spark.package$.MODULE$.SPARK_VERSION();
    private static final String SPARK_VERSION_SHORT = org.apache.spark.package$.MODULE$.SPARK_VERSION_SHORT();

    private static final MessageType LABELS = MessageTypeParser.parseMessageType("""
            message spark_schema {
              optional group labelsArray (LIST) {
                repeated group list {
                  optional group element (LIST) {
                    repeated group list {
                      optional binary element (STRING);
                    }
                  }
                }
              }
            }""");
    private static final StructType LABELS_ROW = new StructType().add("labelsArray",
            DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.StringType, true), true), true);

    private static final MessageType NODES = MessageTypeParser.parseMessageType("""
            message spark_schema {
              required int32 id;
              required double prediction;
              required double impurity;
              optional group impurityStats (LIST) {
                repeated group list {
                  required double element;
                }
              }
              required int64 rawCount;
              required double gain;
              required int32 leftChild;
              required int32 rightChild;
              optional group split {
                required int32 featureIndex;
                optional group leftCategoriesOrThreshold (LIST) {
                  repeated group list {
                    required double element;
                  }
                }
                required int32 numCategories;
              }
            }""");
    private static final StructType NODES_ROW = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("prediction", DataTypes.DoubleType, false)
            .add("impurity", DataTypes.DoubleType, false)
            .add("impurityStats", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
            .add("rawCount", DataTypes.LongType, false)
            .add("gain", DataTypes.DoubleType, false)
            .add("leftChild", DataTypes.IntegerType, false)
            .add("rightChild", DataTypes.IntegerType, false)
            .add("split", new StructType()
                    .add("featureIndex", DataTypes.IntegerType, false)
                    .add("leftCategoriesOrThreshold", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
                    .add("numCategories", DataTypes.IntegerType, false), true);

    private StageFiles() {
    }

    /**
     * Writes {@code stage}'s metadata and data under {@code dir}, which must not exist yet, with {@code fs} (the file
     * system of {@code dir}, as {@link NioLocalFileSystem#forPath} returns it).
     */
    static void write(Transformer stage, FileSystem fs, Path dir, Configuration conf) throws IOException {
        if (stage instanceof StringIndexerModel indexer) {
            writeMetadata(fs, dir, metadata(indexer));
            writeLabels(indexer, fs, new Path(dir, "data"), conf);
        } else if (stage instanceof VectorAssembler assembler) {
            writeMetadata(fs, dir, metadata(assembler));
        } else if (stage instanceof DecisionTreeClassificationModel tree) {
            ObjectNode json = metadata(tree);
            json.put("numFeatures", tree.numFeatures());
            json.put("numClasses", tree.numClasses());
            writeMetadata(fs, dir, json);
            writeNodes(tree, fs, new Path(dir, "data"), conf);
        } else {
            ((MLWritable) stage).write().save(dir.toString());
        }
    }

    /**
     * {@code DefaultParamsWriter}'s metadata of {@code stage}: class, timestamp, Spark version, uid, then
     * {@code paramMap} (the params set) and {@code defaultParamMap} (the defaults), each sorted by name with every
     * value encoded by its param's {@code jsonEncode}.
     */
    static ObjectNode metadata(Params stage) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("class", stage.getClass().getName());
        json.put("timestamp", System.currentTimeMillis());
        json.put("sparkVersion", SPARK_VERSION);
        json.put("uid", stage.uid());
        ObjectNode set = json.putObject("paramMap");
        ObjectNode defaults = json.putObject("defaultParamMap");
        for (Param<?> param : stage.params()) { // sorted by name
            if (stage.isSet(param)) {
                set.set(param.name(), encode(param, stage.get(param).get()));
            }
            if (stage.hasDefault(param)) {
                defaults.set(param.name(), encode(param, stage.getDefault(param).get()));
            }
        }
        return json;
    }

    @SuppressWarnings("unchecked")
    private static <T> JsonNode encode(Param<T> param, Object value) throws IOException {
        return Json.mapper().readTree(param.jsonEncode((T) value));
    }

    /** {@code metadata/part-00000-<uuid>-c000.txt} (the JSON on one line, as Spark's text writer writes it). */
    static void writeMetadata(FileSystem fs, Path stageDir, ObjectNode json) throws IOException {
        Path dir = new Path(stageDir, "metadata");
        try (FSDataOutputStream out = fs.create(new Path(dir, "part-00000-" + UUID.randomUUID() + "-c000.txt"), false)) {
            out.write(Json.mapper().writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        fs.create(new Path(dir, "_SUCCESS"), false).close();
    }

    /** Spark's {@code StringIndexerModel.Data}: one row, {@code labelsArray: array<array<string>>}. */
    private static void writeLabels(StringIndexerModel indexer, FileSystem fs, Path dir, Configuration conf)
            throws IOException {
        Group row = new SimpleGroupFactory(LABELS).newGroup();
        Group outer = row.addGroup("labelsArray");
        for (String[] labels : indexer.labelsArray()) {
            Group inner = outer.addGroup("list").addGroup("element");
            for (String label : labels) {
                Group entry = inner.addGroup("list");
                if (label != null) {
                    entry.append("element", label);
                }
            }
        }
        writeParquet(fs, dir, LABELS, LABELS_ROW, List.of(row), conf);
    }

    /**
     * Spark's {@code NodeData} rows, in the pre-order numbering of Spark's own {@code NodeData.build}. Spark spreads
     * the rows of a tree above 7.28 million nodes over several part files; one file reads the same.
     */
    private static void writeNodes(DecisionTreeClassificationModel tree, FileSystem fs, Path dir, Configuration conf)
            throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(NODES);
        List<Group> rows = new ArrayList<>(tree.numNodes());
        Iterator<DecisionTreeModelReadWrite.NodeData> nodes =
                DecisionTreeModelReadWrite.NodeData$.MODULE$.build(tree.rootNode(), 0)._1().iterator();
        while (nodes.hasNext()) {
            DecisionTreeModelReadWrite.NodeData node = nodes.next();
            Group row = groups.newGroup()
                    .append("id", node.id())
                    .append("prediction", node.prediction())
                    .append("impurity", node.impurity());
            appendDoubles(row.addGroup("impurityStats"), node.impurityStats());
            row.append("rawCount", node.rawCount())
                    .append("gain", node.gain())
                    .append("leftChild", node.leftChild())
                    .append("rightChild", node.rightChild());
            Group split = row.addGroup("split").append("featureIndex", node.split().featureIndex());
            appendDoubles(split.addGroup("leftCategoriesOrThreshold"), node.split().leftCategoriesOrThreshold());
            split.append("numCategories", node.split().numCategories());
            rows.add(row);
        }
        writeParquet(fs, dir, NODES, NODES_ROW, rows, conf);
    }

    /** {@code array<double>} in Parquet's three-level list form; an empty array is a list without elements. */
    private static void appendDoubles(Group list, double[] values) {
        for (double value : values) {
            list.addGroup("list").append("element", value);
        }
    }

    private static void writeParquet(FileSystem fs, Path dir, MessageType schema, StructType rowSchema,
                                     List<Group> rows, Configuration conf) throws IOException {
        Path file = new Path(dir, "part-00000-" + UUID.randomUUID() + "-c000.snappy.parquet");
        OutputFile out;
        if (fs instanceof NioLocalFileSystem local) {
            // parquet-hadoop would open the path with the configured (process-spawning) local file system
            fs.mkdirs(dir);
            out = new LocalOutputFile(local.pathToFile(file).toPath());
        } else {
            out = HadoopOutputFile.fromPath(file, conf);
        }
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(out)
                .withConf(conf)
                .withType(schema)
                .withCompressionCodec(CompressionCodecName.SNAPPY)
                .withExtraMetaData(Map.of(SPARK_VERSION_KEY, SPARK_VERSION_SHORT, SPARK_ROW_SCHEMA_KEY, rowSchema.json()))
                .build()) {
            for (Group row : rows) {
                writer.write(row);
            }
        }
        fs.create(new Path(dir, "_SUCCESS"), false).close();
    }
}
