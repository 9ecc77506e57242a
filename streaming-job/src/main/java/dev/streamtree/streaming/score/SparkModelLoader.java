package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;
import org.apache.spark.ml.PipelineModel;

import java.util.Optional;

/**
 * Loads a registry version's Spark {@code PipelineModel} and compiles it into a {@link TreeScorer}; a model that
 * does not compile (not the schema's feature encoding followed by a decision tree) fails to load, naming the
 * difference.
 */
public final class SparkModelLoader implements ModelLoader<TreeScorer> {

    private final EventSchema schema;

    public SparkModelLoader(EventSchema schema) {
        this.schema = schema;
    }

    @Override
    public TreeScorer load(String location, ModelMetadata metadata) {
        return TreeScorer.compile(PipelineModel.load(location), schema, metadata.classes());
    }

    @Override
    public Optional<String> problem(TreeScorer model) {
        return Optional.empty();
    }
}
