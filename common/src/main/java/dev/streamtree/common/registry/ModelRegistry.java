package dev.streamtree.common.registry;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where trained models live: immutable versions, a {@code current} pointer that moves atomically, and the
 * history of every pointer move.
 *
 * <p>Lifecycle: {@link #stage()} reserves a private work area; the caller writes the model files there and
 * calls {@link PendingVersion#commit(ModelMetadata)}, which publishes a new immutable version (still not
 * serving). {@link #promote(VersionId, String)} then moves the pointer. A version that was never committed
 * is invisible to every reader.
 *
 * <p>Failures: every method throws {@link RegistryException} when the storage cannot be read or written
 * (retriable: nothing was changed, or the change is complete); {@link IllegalArgumentException} for an
 * unknown version; {@link CorruptVersionException} when a version's files fail their integrity check.
 */
public interface ModelRegistry {

    /** Reserves a work area for a candidate model. */
    PendingVersion stage();

    /** Every committed version, oldest first. */
    List<VersionId> versions();

    /** The metadata of a committed version, after checking its integrity. */
    ModelMetadata metadata(VersionId version);

    /**
     * The storage location of the version's Spark PipelineModel, for {@code PipelineModel.load}. Checks the
     * version's integrity first.
     */
    String modelLocation(VersionId version);

    /**
     * A committed version's metadata and model location, after one integrity check (where {@link #metadata} and
     * {@link #modelLocation} each check it).
     */
    default VerifiedVersion verified(VersionId version) {
        return new VerifiedVersion(version, metadata(version), modelLocation(version));
    }

    /**
     * What a model loader needs of a version that passed its integrity check.
     *
     * @param modelFiles the content of every file under {@code modelLocation}, by path relative to it ('/'-separated),
     *                   as the integrity check read and hashed it, so that a loader parses these bytes instead of
     *                   reading the files again; empty when the registry gives the location only. Not to be modified.
     */
    record VerifiedVersion(VersionId version, ModelMetadata metadata, String modelLocation,
                           Map<String, byte[]> modelFiles) {

        public VerifiedVersion {
            modelFiles = Map.copyOf(modelFiles);
        }

        /** A version whose model files the loader reads from {@code modelLocation}. */
        public VerifiedVersion(VersionId version, ModelMetadata metadata, String modelLocation) {
            this(version, metadata, modelLocation, Map.of());
        }
    }

    /** The version now serving; cheap (one small read), meant to be called once per micro-batch. */
    Optional<VersionId> current();

    /** Moves the current pointer to a committed version and records the move in the history. */
    void promote(VersionId version, String reason);

    /**
     * Moves the pointer back to the version that was current before the present one.
     *
     * @return the version now current
     * @throws IllegalStateException when there is nothing to roll back to
     */
    VersionId rollback(String reason);

    /** Every pointer move, oldest first. */
    List<Promotion> history();
}
