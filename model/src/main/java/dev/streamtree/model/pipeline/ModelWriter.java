package dev.streamtree.model.pipeline;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.fs.NioLocalFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Saves a {@link FeaturePipeline} model in Spark's own layout ({@code PipelineModel.load} and the fast loader read it
 * unchanged) without running a Spark job, where Spark's writer runs 11 for the demo's schema (7 for one categorical
 * feature): 3 for the tree, the rest for the pipeline's and the feature stages' files.
 *
 * <p>Spark's writer runs a small job for every file it writes. Beside a running stream on two cores each job waits for
 * a free core: a process's first save took 7-12 s and later saves 1-3 s, on the path of a drift retrain that should
 * serve its model within 5 s of the detection, for files of a few kilobytes. So this writes the same files on the
 * calling thread with Hadoop's file system and parquet-hadoop ({@link StageFiles}: Spark's metadata JSON, its Parquet
 * schema and footer). The feature stages depend on the schema only, and {@link FeaturePipeline#featureStages} returns
 * the same instances (the same uids) for one schema; they are written once per JVM and schema to a local template,
 * whose stage directories each save copies. A model whose stages are not the schema's shared ones is saved by Spark's
 * writer as a whole.
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
                    (f, old) -> old != null && Files.isDirectory(old) ? old : writeTemplate(stages, conf));
            Path root = new Path(location);
            FileSystem fs = NioLocalFileSystem.forPath(root, conf);
            FileSystem local = NioLocalFileSystem.forPath(new Path(template.toUri()), conf);
            for (int i = 0; i < shared.size(); i++) {
                String dir = stageDirectory(i, stages.length, stages[i].uid());
                FileUtil.copy(local, new Path(template.resolve(dir).toUri()), fs, new Path(root, "stages/" + dir), false, conf);
            }
            Transformer tree = stages[stages.length - 1];
            StageFiles.write(tree, fs, new Path(root, "stages/" + stageDirectory(stages.length - 1, stages.length,
                    tree.uid())), conf);
            writeMetadata(model, fs, root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + location + ": " + e.getMessage(), e);
        }
    }

    /** Spark's name of a stage's directory: its index, zero-padded to the digits of the stage count, and its uid. */
    public static String stageDirectory(int index, int stageCount, String uid) {
        int digits = String.valueOf(stageCount).length();
        return String.format(Locale.ROOT, "%0" + digits + "d_%s", index, uid);
    }

    private static java.nio.file.Path writeTemplate(Transformer[] stages, Configuration conf) {
        try {
            java.nio.file.Path dir = Files.createTempDirectory("streamtree-feature-stages");
            FileSystem local = NioLocalFileSystem.forPath(new Path(dir.toUri()), conf);
            for (int i = 0; i < stages.length - 1; i++) {
                StageFiles.write(stages[i], local,
                        new Path(dir.resolve(stageDirectory(i, stages.length, stages[i].uid())).toUri()), conf);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the feature stages' template: " + e.getMessage(), e);
        }
    }

    /** The metadata Spark's pipeline writer writes: the pipeline's own, with the stages' uids as its only param. */
    private static void writeMetadata(PipelineModel model, FileSystem fs, Path root) throws IOException {
        ObjectNode json = StageFiles.metadata(model);
        ArrayNode uids = json.putObject("paramMap").putArray("stageUids");
        for (Transformer stage : model.stages()) {
            uids.add(stage.uid());
        }
        StageFiles.writeMetadata(fs, root, json);
    }
}
