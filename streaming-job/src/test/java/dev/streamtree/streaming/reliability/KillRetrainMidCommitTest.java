package dev.streamtree.streaming.reliability;

import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.streaming.score.ModelLoader;
import dev.streamtree.streaming.score.ModelTracker;
import dev.streamtree.streaming.score.ServingModel;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A retrain killed at each step of writing a version leaves exactly what a crash would leave on disk; this test
 * builds those leftovers on a real {@link FileSystemModelRegistry} and checks that the registry never lists,
 * promotes or points at a partial version, and that the streaming job's {@link ModelTracker} never loads one and
 * keeps serving the last good model. (No Spark: the model files are stand-ins; the loader records what it loads.)
 */
class KillRetrainMidCommitTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    @TempDir
    Path dir;

    private FileSystemModelRegistry registry;
    private final List<String> loaded = new ArrayList<>();
    private ModelTracker<String> tracker;
    private VersionId good;

    @BeforeEach
    void promoteAGoodVersion() throws IOException {
        registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), new Configuration());
        tracker = new ModelTracker<>(registry, SCHEMA, new ModelLoader<>() {
            @Override
            public String load(String location, ModelMetadata metadata) {
                loaded.add(location);
                return location;
            }

            @Override
            public Optional<String> problem(String model) {
                return Optional.empty();
            }
        });
        good = commit("good model");
        registry.promote(good, "first");
        assertThat(serving()).isEqualTo(good);
    }

    @Test
    void killedMidTrainingLeavesAnInvisibleStagingDirectory() throws IOException {
        PendingVersion pending = registry.stage();
        Path model = local(pending.modelLocation());
        Files.createDirectories(model.resolve("stages"));
        Files.writeString(model.resolve("stages").resolve("part-00000"), "half a tree");
        // the process dies here: no commit, no close

        assertThat(registry.versions()).containsExactly(good);
        assertThat(registry.current()).contains(good);
        assertThat(serving()).isEqualTo(good);
        assertThat(loaded).hasSize(1);

        VersionId next = commit("the retry's model");
        assertThat(next).isEqualTo(good.next());
        registry.promote(next, "retry");
        assertThat(serving()).isEqualTo(next);
    }

    @Test
    void killedMidCommitBeforeTheManifestLeavesAVersionNobodyCanPromoteOrLoad() throws IOException {
        VersionId partial = good.next();
        Path version = dir.resolve("registry/versions").resolve(partial.toString());
        Files.createDirectories(version.resolve("model/stages"));
        Files.writeString(version.resolve("model/stages/part-00000"), "complete model bytes");
        Files.writeString(version.resolve(FileSystemModelRegistry.METADATA_FILE), "{\"trained_at\":");

        assertPartialVersionIsNeverUsed(partial, "manifest");
    }

    @Test
    void killedWhileWritingTheManifestLeavesAVersionNobodyCanPromoteOrLoad() throws IOException {
        VersionId partial = good.next();
        Path committed = dir.resolve("registry/versions").resolve(good.toString());
        Path version = dir.resolve("registry/versions").resolve(partial.toString());
        copy(committed, version);
        Path manifest;
        try (Stream<Path> files = Files.list(version)) {
            manifest = files.filter(p -> p.getFileName().toString().startsWith("manifest")).findFirst().orElseThrow();
        }
        String text = Files.readString(manifest);
        Files.writeString(manifest, text.substring(0, text.length() / 2));

        assertPartialVersionIsNeverUsed(partial, partial.toString());
    }

    @Test
    void killedAfterTheManifestWithAFileStillShortIsCaughtByItsChecksum() throws IOException {
        VersionId partial = commit("a model whose last file the crash cut short");
        Path part = dir.resolve("registry/versions").resolve(partial.toString()).resolve("model/stages/part-00000");
        Files.writeString(part, "a model whose");

        assertThat(registry.versions()).as("listed: the manifest is complete").contains(partial);
        assertPartialVersionIsNeverUsed(partial, "part-00000");
    }

    @Test
    void killedMidPromotionLeavesThePointerOnTheOldVersion() throws IOException {
        VersionId next = commit("next model");
        // A pointer replace dies after writing its temporary file and before the rename.
        Files.writeString(dir.resolve("registry").resolve("." + FileSystemModelRegistry.CURRENT_FILE + ".tmp-dead"), next + "\n");

        assertThat(registry.current()).contains(good);
        assertThat(serving()).isEqualTo(good);
        registry.promote(next, "retry after the crash");
        assertThat(registry.current()).contains(next);
        assertThat(serving()).isEqualTo(next);
    }

    private void assertPartialVersionIsNeverUsed(VersionId partial, String problem) throws IOException {
        assertThatThrownBy(() -> registry.promote(partial, "must fail"))
                .isInstanceOf(CorruptVersionException.class).hasMessageContaining(problem);
        assertThatThrownBy(() -> registry.modelLocation(partial)).isInstanceOf(CorruptVersionException.class);
        assertThat(registry.current()).contains(good);

        // Even a pointer forced onto it (a hand edit, or a store without atomic rename) is refused by the job.
        Files.writeString(dir.resolve("registry").resolve(FileSystemModelRegistry.CURRENT_FILE), partial + "\n");
        assertThat(serving()).isEqualTo(good);
        assertThat(serving()).isEqualTo(good);
        assertThat(tracker.refusals()).isEqualTo(1);
        assertThat(loaded).as("only the good version was ever loaded").hasSize(1)
                .allMatch(location -> location.contains(good.toString()));

        // The next retrain takes a fresh number and serves normally.
        VersionId next = commit("the retry's model");
        assertThat(next).isGreaterThan(partial);
        registry.promote(next, "retry");
        assertThat(serving()).isEqualTo(next);
    }

    private VersionId serving() {
        return tracker.refresh().map(ServingModel::version).orElseThrow();
    }

    private VersionId commit(String modelContent) throws IOException {
        try (PendingVersion pending = registry.stage()) {
            Path model = local(pending.modelLocation());
            Files.createDirectories(model.resolve("stages"));
            Files.writeString(model.resolve("stages").resolve("part-00000"), modelContent);
            return pending.commit(new ModelMetadata(Instant.parse("2025-01-01T00:00:00Z"), SCHEMA.fingerprint(),
                    SCHEMA.featureNames(), SCHEMA.label().classes(), "test", 800, 200, Map.of("A", 500L, "B", 300L),
                    Map.of("maxDepth", "5"), Map.of("accuracy", 0.9), Map.of(), null, "4.1.0", "test"));
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static Path local(String uri) {
        return Path.of(URI.create(uri));
    }
}
