package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.score.PipelineModelFiles;
import dev.streamtree.model.score.TreeScorer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Loads a registry version's Spark {@code PipelineModel} and compiles it into a {@link TreeScorer}; a model that
 * does not compile (not the schema's feature encoding followed by a decision tree) fails to load, naming the
 * difference.
 *
 * <p>The model's files are parsed directly on the driver ({@link PipelineModelFiles}, no Spark jobs): for a version
 * the registry checked ({@link #load(ModelRegistry.VerifiedVersion)}), from the bytes its checksum check read, so
 * each file is read once per preparation; else from the files at the location. When their layout is not the one this
 * Spark version writes, the model is loaded with {@code PipelineModel.load} instead. Files that cannot be read are an
 * {@link UncheckedIOException}, which {@link ModelTracker} retries.
 *
 * <p>Why from the checked bytes: the real-time watcher prepares a promoted version beside busy scoring tasks on two
 * cores, so every millisecond of CPU of a preparation lengthens the swap gap. A tracker's preparation of a fresh
 * depth-10 Agrawal version (its 23 files checked, the model loaded and compiled) took a median 18.7 ms of CPU (19.8 ms
 * wall) when this loader listed and read the files again and Parquet parsed Hadoop's configuration per file, and 5.4 ms
 * (5.7 ms) with both gone (150 fresh versions, warm JVM, this 2-core machine). The load alone: 4.9 ms from the files,
 * 2.1 ms from the checked bytes.
 */
public final class SparkModelLoader implements ModelLoader<TreeScorer> {

    private static final Logger LOG = LoggerFactory.getLogger(SparkModelLoader.class);

    private final EventSchema schema;
    private final Configuration hadoopConf;

    /** @param hadoopConf the session's Hadoop configuration, for reading the registry's files */
    public SparkModelLoader(EventSchema schema, Configuration hadoopConf) {
        this.schema = schema;
        this.hadoopConf = hadoopConf;
    }

    @Override
    public TreeScorer load(String location, ModelMetadata metadata) {
        return load(location, metadata, () -> PipelineModelFiles.read(location, hadoopConf));
    }

    /** Parses the model files the registry's check read, when it gave them; else reads them at the location. */
    @Override
    public TreeScorer load(ModelRegistry.VerifiedVersion version) {
        if (version.modelFiles().isEmpty()) {
            return load(version.modelLocation(), version.metadata());
        }
        return load(version.modelLocation(), version.metadata(),
                () -> PipelineModelFiles.read(version.modelLocation(), version.modelFiles()));
    }

    private TreeScorer load(String location, ModelMetadata metadata, Supplier<PipelineModel> direct) {
        PipelineModel model;
        try {
            model = direct.get();
        } catch (RuntimeException e) {
            if (ModelTracker.isTransient(e)) {
                // The files could not be read, whatever their layout: Spark could not read them either.
                throw e;
            }
            LOG.warn("reading model files under {} directly failed ({}); loading it through Spark", location,
                    e.getMessage());
            model = PipelineModel.load(location);
        }
        return TreeScorer.compile(model, schema, metadata.classes());
    }

    @Override
    public Optional<String> problem(TreeScorer model) {
        return Optional.empty();
    }
}
