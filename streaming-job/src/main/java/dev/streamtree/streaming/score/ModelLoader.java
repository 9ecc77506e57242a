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
     * @throws RuntimeException of any kind when the files are missing or unreadable; the caller refuses the
     *                          version and keeps serving the previous one
     */
    M load(String location, ModelMetadata metadata);

    /** Why the loaded model cannot score the job's events (e.g. it expects other columns), or empty. */
    Optional<String> problem(M model);
}
