package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.model.score.PipelineModelFiles;
import dev.streamtree.model.score.TreeScorer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ml.PipelineModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Loads a registry version's Spark {@code PipelineModel} and compiles it into a {@link TreeScorer}; a model that
 * does not compile (not the schema's feature encoding followed by a decision tree) fails to load, naming the
 * difference.
 *
 * <p>The model's files are read directly on the driver ({@link PipelineModelFiles}, no Spark jobs, tens of
 * milliseconds); when their layout is not the one this Spark version writes, the model is loaded with
 * {@code PipelineModel.load} instead. Files that cannot be read are an {@link UncheckedIOException}, which
 * {@link ModelTracker} retries.
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
        PipelineModel model;
        try {
            model = PipelineModelFiles.read(location, hadoopConf);
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
