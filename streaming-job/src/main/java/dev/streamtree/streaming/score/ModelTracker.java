package dev.streamtree.streaming.score;

import dev.streamtree.common.prediction.ModelCompatibility;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Decides, at the start of each micro-batch, which model scores it. Driver-side; not thread-safe (the streaming
 * query calls it from its one batch thread).
 *
 * <p>Each call reads the registry's {@code current} pointer once. When it names a version other than the one
 * serving, that version is checked (schema fingerprint, features and classes from its metadata; then the loaded
 * model itself) and, if it passes, serves from this batch on. A version that fails a check or fails to load is
 * refused: logged, counted, and not tried again until the pointer moves; the previous model keeps serving. A
 * registry that cannot be read is logged and retried on the next batch, also keeping the previous model.
 *
 * @param <M> the loaded model form
 */
public final class ModelTracker<M> {

    private static final Logger LOG = LoggerFactory.getLogger(ModelTracker.class);

    private final ModelRegistry registry;
    private final EventSchema schema;
    private final ModelLoader<M> loader;
    private ServingModel<M> serving;
    private VersionId refused;
    private long refusals;
    private long swaps;
    private long registryFailures;

    public ModelTracker(ModelRegistry registry, EventSchema schema, ModelLoader<M> loader) {
        this.registry = registry;
        this.schema = schema;
        this.loader = loader;
    }

    /** The model for the next batch, after following the pointer if it moved; empty while none was ever usable. */
    public Optional<ServingModel<M>> refresh() {
        Optional<VersionId> current;
        try {
            current = registry.current();
        } catch (RuntimeException e) {
            registryFailures++;
            LOG.warn("cannot read the registry's current pointer ({}); keeping {}", e.getMessage(), describe(serving));
            return Optional.ofNullable(serving);
        }
        if (current.isEmpty() || serving != null && current.get().equals(serving.version())
                || current.get().equals(refused)) {
            return Optional.ofNullable(serving);
        }
        VersionId candidate = current.get();
        try {
            ModelMetadata metadata = registry.metadata(candidate);
            Optional<String> problem = ModelCompatibility.problem(schema, metadata);
            if (problem.isPresent()) {
                return refuse(candidate, problem.get());
            }
            M model = loader.load(registry.modelLocation(candidate), metadata);
            problem = loader.problem(model);
            if (problem.isPresent()) {
                return refuse(candidate, problem.get());
            }
            LOG.info("model {} now serving (was {}); trained {} on {} rows", candidate, describe(serving),
                    metadata.createdAt(), metadata.trainingRows());
            serving = new ServingModel<>(candidate, metadata, model);
            swaps++;
            return Optional.of(serving);
        } catch (RegistryException e) {
            if (e instanceof CorruptVersionException) {
                return refuse(candidate, "corrupt version: " + e.getMessage());
            }
            registryFailures++;
            LOG.warn("cannot read model {} from the registry ({}); keeping {} and retrying next batch", candidate,
                    e.getMessage(), describe(serving));
            return Optional.ofNullable(serving);
        } catch (RuntimeException e) {
            return refuse(candidate, "failed to load: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** Versions refused so far. */
    public long refusals() {
        return refusals;
    }

    /** Times a new version started serving (the first one included). */
    public long swaps() {
        return swaps;
    }

    /** Registry reads that failed and will be retried. */
    public long registryFailures() {
        return registryFailures;
    }

    private Optional<ServingModel<M>> refuse(VersionId candidate, String why) {
        refused = candidate;
        refusals++;
        LOG.error("refusing model {}: {}; keeping {}", candidate, why, describe(serving));
        return Optional.ofNullable(serving);
    }

    private static String describe(ServingModel<?> model) {
        return model == null ? "no model (events go to the lake unscored)" : "model " + model.version();
    }
}
