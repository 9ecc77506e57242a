package dev.streamtree.model.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.schema.EventSchema;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.ml.util.MLWritable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Saves a {@link FeaturePipeline} model in Spark's own layout ({@code PipelineModel.load} and the fast loader read it
 * unchanged) with only the tree's Spark jobs (3) instead of every stage's (11 for the demo's schema, 7 for one
 * categorical feature).
 *
 * <p>Spark's writer runs a small job for every file it writes: the pipeline's metadata, then each stage's metadata and
 * data (a string indexer's labels, the tree's nodes). Beside a running stream each job waits for a free core, so for
 * the few-thousand-row tree of a drift retrain the save took longer than the training. But the feature stages depend on
 * the schema only, and {@link FeaturePipeline#featureStages} returns the same instances (the same uids) for one schema;
 * so this writes them once per JVM and schema to a local template, and each save copies the template's stage
 * directories, writes the pipeline's metadata file itself (the JSON Spark writes) and leaves only the tree to Spark's
 * writer. A model whose stages are not the schema's shared ones is saved by Spark's writer as a whole.
 */
public final class ModelWriter {

    private static final ConcurrentMap<String, java.nio.file.Path> TEMPLATES = new ConcurrentHashMap<>();

    private ModelWriter() {
    }

    /**
     * Writes {@code model} to {@code location}, which must not exist yet.
     *
     * @throws UncheckedIOException when a file cannot be written
     */
    public static void save(PipelineModel model, EventSchema schema, String location, Configuration conf) {
        Transformer[] stages = model.stages();
        List<Transformer> shared = FeaturePipeline.featureStages(schema);
        boolean sharedStages = stages.length == shared.size() + 1
                && stages[stages.length - 1] instanceof DecisionTreeClassificationModel;
        for (int i = 0; sharedStages && i < shared.size(); i++) {
            sharedStages = stages[i] == shared.get(i);
        }
        try {
            if (!sharedStages) {
                model.write().save(location);
                return;
            }
            // a template removed under us (a temporary-file cleaner) is written again
            java.nio.file.Path template = TEMPLATES.compute(schema.fingerprint(),
                    (f, old) -> old != null && Files.isDirectory(old) ? old : writeTemplate(stages));
            Path root = new Path(location);
            FileSystem fs = root.getFileSystem(conf);
            FileSystem local = FileSystem.getLocal(conf);
            for (int i = 0; i < shared.size(); i++) {
                String dir = stageDirectory(i, stages.length, stages[i].uid());
                FileUtil.copy(local, new Path(template.resolve(dir).toUri()), fs, new Path(root, "stages/" + dir), false, conf);
            }
            Transformer tree = stages[stages.length - 1];
            ((MLWritable) tree).write().save(new Path(root, "stages/" + stageDirectory(stages.length - 1, stages.length,
                    tree.uid())).toString());
            writeMetadata(model, fs, new Path(root, "metadata"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + location + ": " + e.getMessage(), e);
        }
    }

    /** Spark's name of a stage's directory: its index, zero-padded to the digits of the stage count, and its uid. */
    public static String stageDirectory(int index, int stageCount, String uid) {
        int digits = String.valueOf(stageCount).length();
        return String.format(Locale.ROOT, "%0" + digits + "d_%s", index, uid);
    }

    private static java.nio.file.Path writeTemplate(Transformer[] stages) {
        try {
            java.nio.file.Path dir = Files.createTempDirectory("streamtree-feature-stages");
            for (int i = 0; i < stages.length - 1; i++) {
                ((MLWritable) stages[i]).write().save(dir.resolve(stageDirectory(i, stages.length, stages[i].uid())).toUri().toString());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature stages' template: " + e.getMessage(), e);
        }
    }

    /** The metadata Spark's pipeline writer would write (class, timestamp, Spark version, uid, the stages' uids). */
    private static void writeMetadata(PipelineModel model, FileSystem fs, Path dir) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("class", PipelineModel.class.getName());
        json.put("timestamp", System.currentTimeMillis());
        json.put("sparkVersion", org.apache.spark.package$.MODULE$.SPARK_VERSION());
        json.put("uid", model.uid());
        ArrayNode uids = json.putObject("paramMap").putArray("stageUids");
        for (Transformer stage : model.stages()) {
            uids.add(stage.uid());
        }
        json.putObject("defaultParamMap");
        // named as Spark's text writer names its part files
        try (FSDataOutputStream out = fs.create(new Path(dir, "part-00000-" + UUID.randomUUID() + "-c000.txt"), false)) {
            out.write(Json.mapper().writeValueAsString(json).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
        }
        fs.create(new Path(dir, "_SUCCESS"), false).close();
    }
}
