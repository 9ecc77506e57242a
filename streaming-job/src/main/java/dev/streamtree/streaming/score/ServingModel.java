package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.VersionId;

/**
 * A loaded model and what the registry says about it.
 *
 * @param <M> the loaded form (a Spark {@code PipelineModel} in the job)
 */
public record ServingModel<M>(VersionId version, ModelMetadata metadata, M model) {
}
