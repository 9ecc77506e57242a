package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.ModelMetadata;

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

    /** Why the loaded model cannot score the job's events (e.g. it expects other columns), or empty. */
    Optional<String> problem(M model);
}
