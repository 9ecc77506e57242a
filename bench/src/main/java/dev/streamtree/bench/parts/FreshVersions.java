package dev.streamtree.bench.parts;

import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.model.fs.NioLocalFileSystem;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Commits copies of trained versions under new ids, so that a benchmark can promote versions the streaming job has
 * never loaded: the job keeps loaded versions by id, and a re-promoted id serves without the check and load a newly
 * trained version pays.
 *
 * <p>Each copy goes through the registry's own lifecycle: {@link ModelRegistry#stage()}, the source version's model
 * files copied into the work area, then {@link PendingVersion#commit} with the source's metadata.
 */
final class FreshVersions {

    private FreshVersions() {
    }

    /**
     * Commits {@code count} new versions, the i-th a copy of {@code sources.get(i % sources.size())}, so consecutive
     * copies alternate between the sources' trees.
     *
     * @return the new versions' ids, in commit order (each new to the registry, none of {@code sources})
     * @throws IllegalArgumentException when {@code count} is negative, {@code sources} is empty, or a source is not a
     *                                  committed version
     * @throws dev.streamtree.common.registry.CorruptVersionException when a source fails its integrity check
     * @throws dev.streamtree.common.registry.RegistryException       when the registry cannot be read or written
     * @throws UncheckedIOException     when a source's model files cannot be copied into the work area
     */
    static List<VersionId> commitCopies(ModelRegistry registry, List<VersionId> sources, int count, Configuration conf) {
        if (count < 0) {
            throw new IllegalArgumentException("number of version copies must be >= 0, got " + count);
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("no versions to copy");
        }
        List<ModelRegistry.VerifiedVersion> verified = sources.stream().map(registry::verified).toList();
        List<VersionId> copies = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ModelRegistry.VerifiedVersion source = verified.get(i % verified.size());
            try (PendingVersion pending = registry.stage()) {
                copy(source.modelLocation(), pending.modelLocation(), conf);
                copies.add(pending.commit(source.metadata()));
            }
        }
        return copies;
    }

    private static void copy(String from, String to, Configuration conf) {
        Path source = new Path(from);
        Path target = new Path(to);
        try {
            FileSystem sourceFs = NioLocalFileSystem.forPath(source, conf);
            FileSystem targetFs = NioLocalFileSystem.forPath(target, conf);
            if (!FileUtil.copy(sourceFs, source, targetFs, target, false, conf)) {
                throw new IOException("the copy returned false");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy model files " + from + " to " + to + ": " + e.getMessage(), e);
        }
    }
}
