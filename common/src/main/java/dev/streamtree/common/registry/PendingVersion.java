package dev.streamtree.common.registry;

/** A candidate being written; see {@link ModelRegistry#stage()}. */
public interface PendingVersion extends AutoCloseable {

    /** Where to write the Spark model (a directory URI the caller's file system understands). */
    String modelLocation();

    /** Where to write extra human-readable files ({@code tree.txt}, {@code tree.dot}). */
    String filesLocation();

    /**
     * Publishes the candidate as the next version; after this it is immutable.
     *
     * @throws RegistryException when the files cannot be moved into place; the registry is unchanged
     */
    VersionId commit(ModelMetadata metadata);

    /** Discards the work area if it was not committed. */
    @Override
    void close();
}
