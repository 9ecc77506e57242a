package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;

import java.util.Optional;

/**
 * Loads a registry version's model on the driver and checks it can score the job's events.
 *
 * @param <M> the loaded form
 */
public interface ModelLoader<M> {

    /**
     * Loads the model stored at {@code location}.
     *
     * @throws java.io.UncheckedIOException (or any exception caused by an {@link java.io.IOException}) when the
     *                                     files cannot be read now; {@link ModelTracker} retries the load
     * @throws RuntimeException            of any other kind when the files do not hold a model that can serve;
     *                                     {@link ModelTracker} refuses the version and keeps the previous one
     */
    M load(String location, ModelMetadata metadata);

    /**
     * Loads a version that passed the registry's integrity check; {@link ModelTracker} loads with this. By default the
     * model is read from its location; a loader that parses the files the check read ({@link
     * ModelRegistry.VerifiedVersion#modelFiles}) spares reading them a second time. Fails as
     * {@link #load(String, ModelMetadata)} does.
     */
    default M load(ModelRegistry.VerifiedVersion version) {
        return load(version.modelLocation(), version.metadata());
    }

    /** Why the loaded model cannot score the job's events (e.g. it expects other columns), or empty. */
    Optional<String> problem(M model);
}
