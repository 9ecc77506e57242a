package dev.streamtree.model.registry;

import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.VersionId;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemModelRegistryTest {

    @TempDir
    Path dir;

    private FileSystemModelRegistry registry;

    @BeforeEach
    void open() {
        registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), new Configuration());
    }

    private static ModelMetadata metadata(double accuracy) {
        return new ModelMetadata(Instant.parse("2025-01-01T00:00:00Z"), "abc123", List.of("salary", "car"),
                List.of("A", "B"), "last 1000 rows", 800, 200, Map.of("A", 500L, "B", 300L),
                Map.of("maxDepth", "5"), Map.of("accuracy", accuracy), Map.of(), null, "4.1.0", "0.1.0-SNAPSHOT");
    }

    private VersionId commit(String modelContent, double accuracy) throws IOException {
        try (PendingVersion pending = registry.stage()) {
            Path model = local(pending.modelLocation());
            Files.createDirectories(model.resolve("stages"));
            Files.writeString(model.resolve("stages").resolve("part-00000"), modelContent);
            Files.writeString(local(pending.filesLocation()).resolve("tree.txt"), "if (salary <= 1.0) A else B\n");
            return pending.commit(metadata(accuracy));
        }
    }

    private static Path local(String uri) {
        return Path.of(URI.create(uri));
    }

    @Test
    void metadataKeepsTheTrainingProvenanceOfADriftRetrain() throws IOException {
        ModelMetadata drift = metadata(0.9).withProvenance("drift", Instant.parse("2025-01-01T00:00:00.250Z"), 42L);
        VersionId v1;
        try (PendingVersion pending = registry.stage()) {
            Path model = local(pending.modelLocation()).resolve("stages");
            Files.createDirectories(model);
            Files.writeString(model.resolve("part-00000"), "drift model");
            v1 = pending.commit(drift);
        }
        assertThat(registry.metadata(v1)).isEqualTo(drift);
        assertThat(registry.versionFile(v1, "metadata.json")).get().asString()
                .contains("\"training_reason\" : \"drift\"", "\"change_point\" : \"2025-01-01T00:00:00.250Z\"",
                        "\"lake_snapshot_id\" : 42");
        assertThat(registry.metadata(commit("plain", 0.8)).changePoint()).as("absent when not set").isNull();
    }

    @Test
    void commitPublishesNumberedImmutableVersionsWithMetadataAndManifest() throws IOException {
        VersionId v1 = commit("model one", 0.9);
        VersionId v2 = commit("model two", 0.8);

        assertThat(v1).hasToString("v000001");
        assertThat(v2).hasToString("v000002");
        assertThat(registry.versions()).containsExactly(v1, v2);
        assertThat(registry.metadata(v2).metrics()).containsEntry("accuracy", 0.8);
        assertThat(registry.metadata(v1)).isEqualTo(metadata(0.9));
        Path versionDir = dir.resolve("registry/versions/v000001");
        assertThat(versionDir.resolve("manifest.json")).exists();
        assertThat(Files.readString(versionDir.resolve("manifest.json"))).contains("model/stages/part-00000", "metadata.json", "tree.txt");
        assertThat(local(registry.modelLocation(v1)).resolve("stages/part-00000")).hasContent("model one");
        assertThat(registry.versionFile(v1, "tree.txt")).contains("if (salary <= 1.0) A else B\n");
        assertThat(registry.versionFile(v1, "tree.dot")).isEmpty();
        assertThat(dir.resolve("registry/staging")).isEmptyDirectory();
        assertThat(registry.current()).isEmpty();
    }

    @Test
    void discardedStagingLeavesNoVersion() throws IOException {
        try (PendingVersion pending = registry.stage()) {
            Files.createDirectories(local(pending.modelLocation()));
            Files.writeString(local(pending.modelLocation()).resolve("x"), "x");
        }
        assertThat(registry.versions()).isEmpty();
        assertThat(dir.resolve("registry/staging")).isEmptyDirectory();
    }

    @Test
    void commitWithoutModelFilesIsRefused() {
        try (PendingVersion pending = registry.stage()) {
            assertThatThrownBy(() -> pending.commit(metadata(0.5)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("nothing was written to");
        }
        assertThat(registry.versions()).isEmpty();
    }

    @Test
    void promoteMovesPointerAndRollbackWalksBackThroughPromotions() throws IOException {
        VersionId v1 = commit("1", 0.9);
        VersionId v2 = commit("2", 0.9);
        VersionId v3 = commit("3", 0.9);

        registry.promote(v1, "first");
        registry.promote(v2, "better");
        registry.promote(v3, "even better");
        assertThat(registry.current()).contains(v3);
        assertThat(Files.readString(dir.resolve("registry/current")).trim()).isEqualTo("v000003");

        assertThat(registry.rollback("v3 misbehaves")).isEqualTo(v2);
        assertThat(registry.current()).contains(v2);
        assertThat(registry.rollback("v2 too")).isEqualTo(v1);
        assertThatThrownBy(() -> registry.rollback("again"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("v000001 is the first promoted version");

        List<Promotion> history = registry.history();
        assertThat(history).extracting(Promotion::action).containsExactly("promote", "promote", "promote", "rollback", "rollback");
        assertThat(history.get(3).from()).isEqualTo(v3);
        assertThat(history.get(3).to()).isEqualTo(v2);
        assertThat(history.get(3).reason()).isEqualTo("v3 misbehaves");
        assertThat(history.get(0).from()).isNull();
    }

    @Test
    void rollbackWithoutPromotionIsRefused() {
        assertThatThrownBy(() -> registry.rollback("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no version has been promoted");
    }

    @Test
    void promotingUnknownVersionNamesIt() {
        assertThatThrownBy(() -> registry.promote(VersionId.parse("v000007"), "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v000007 does not exist");
    }

    @Test
    void truncatedFileMakesVersionCorruptAndNeverPromotedOrLoaded() throws IOException {
        VersionId v1 = commit("a model that is long enough to truncate", 0.9);
        Path part = dir.resolve("registry/versions/v000001/model/stages/part-00000");
        try (RandomAccessFile file = new RandomAccessFile(part.toFile(), "rw")) {
            file.setLength(5);
        }
        assertThatThrownBy(() -> registry.promote(v1, "x"))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("model/stages/part-00000 has 5 bytes, manifest says");
        assertThatThrownBy(() -> registry.modelLocation(v1)).isInstanceOf(CorruptVersionException.class);
        assertThatThrownBy(() -> registry.metadata(v1)).isInstanceOf(CorruptVersionException.class);
        assertThatThrownBy(() -> registry.verified(v1)).isInstanceOf(CorruptVersionException.class);
        assertThat(registry.current()).isEmpty();
    }

    @Test
    void verifiedGivesMetadataAndLocationOfAnIntactVersion() throws IOException {
        VersionId v1 = commit("a model", 0.9);
        ModelRegistry.VerifiedVersion verified = registry.verified(v1);
        assertThat(verified.version()).isEqualTo(v1);
        assertThat(verified.metadata()).isEqualTo(registry.metadata(v1));
        assertThat(verified.modelLocation()).isEqualTo(registry.modelLocation(v1));
        Files.writeString(dir.resolve("registry/versions/v000001/model/stages/part-00000"), "a modeX");
        assertThatThrownBy(() -> registry.verified(v1))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("does not match its checksum");
    }

    @Test
    void verifiedHandsOverTheModelFilesItCheckedAndNothingElse() throws IOException {
        VersionId v1 = commit("a model", 0.9);
        ModelRegistry.VerifiedVersion verified = registry.verified(v1);
        assertThat(verified.modelFiles()).as("model files by path relative to the model location")
                .containsOnlyKeys("stages/part-00000");
        assertThat(new String(verified.modelFiles().get("stages/part-00000"), StandardCharsets.UTF_8))
                .isEqualTo("a model");
        assertThat(new ModelRegistry.VerifiedVersion(v1, verified.metadata(), verified.modelLocation()).modelFiles())
                .as("a registry that gives the location only").isEmpty();
    }

    @Test
    void aModelFileLongerThanItsManifestSaysIsRefusedWithItsTrueSize() throws IOException {
        VersionId v1 = commit("a model", 0.9);
        byte[] grown = new byte[200_000]; // more than one read buffer past the manifest's 7 bytes
        Files.write(dir.resolve("registry/versions/v000001/model/stages/part-00000"), grown);
        assertThatThrownBy(() -> registry.verified(v1))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("file model/stages/part-00000 has 200000 bytes, manifest says 7");
        Files.delete(dir.resolve("registry/versions/v000001/model/stages/part-00000"));
        assertThatThrownBy(() -> registry.verified(v1))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("file model/stages/part-00000 is missing");
        assertThatThrownBy(() -> registry.verified(VersionId.parse("v000009")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v000009 does not exist");
    }

    @Test
    void versionFileIsTheContentItsCheckRead() throws IOException {
        VersionId v1 = commit("a model", 0.9);
        assertThat(registry.versionFile(v1, "tree.txt")).contains("if (salary <= 1.0) A else B\n");
        assertThat(registry.versionFile(v1, "tree.dot")).as("not in the manifest").isEmpty();
        Files.writeString(dir.resolve("registry/versions/v000001/tree.txt"), "if (salary <= 1.0) B else A\n");
        assertThatThrownBy(() -> registry.versionFile(v1, "tree.txt"))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("file tree.txt does not match its checksum");
    }

    @Test
    void alteredContentOfSameSizeFailsChecksum() throws IOException {
        VersionId v1 = commit("abcdef", 0.9);
        Files.writeString(dir.resolve("registry/versions/v000001/model/stages/part-00000"), "abcdeX");
        assertThatThrownBy(() -> registry.modelLocation(v1))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("does not match its checksum");
    }

    @Test
    void versionDirectoryWithoutManifestIsInvisibleAndNotPromotable() throws IOException {
        VersionId v1 = commit("ok", 0.9);
        Path half = dir.resolve("registry/versions/v000002/model");
        Files.createDirectories(half);
        Files.writeString(half.resolve("part"), "half-written");

        assertThat(registry.versions()).containsExactly(v1);
        assertThatThrownBy(() -> registry.promote(VersionId.parse("v000002"), "x"))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("no manifest.json");
        // The next commit skips the taken number.
        assertThat(commit("next", 0.9)).hasToString("v000003");
    }

    @Test
    void rollbackRefusesCorruptTargetAndKeepsPointer() throws IOException {
        VersionId v1 = commit("first model", 0.9);
        VersionId v2 = commit("second model", 0.9);
        registry.promote(v1, "a");
        registry.promote(v2, "b");
        Files.delete(dir.resolve("registry/versions/v000001/metadata.json"));

        assertThatThrownBy(() -> registry.rollback("x"))
                .isInstanceOf(CorruptVersionException.class)
                .hasMessageContaining("metadata.json is missing");
        assertThat(registry.current()).contains(v2);
    }

    @Test
    void concurrentCommitsGetDistinctNumbers() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<VersionId>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                futures.add(pool.submit(() -> commit("model " + n, 0.5)));
            }
            List<VersionId> ids = new ArrayList<>();
            for (Future<VersionId> f : futures) {
                ids.add(f.get());
            }
            assertThat(ids).doesNotHaveDuplicates().hasSize(8);
            assertThat(registry.versions()).hasSize(8);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void secondRegistryInstanceOnSameRootSeesSameState() throws IOException {
        VersionId v1 = commit("m", 0.7);
        registry.promote(v1, "go");
        FileSystemModelRegistry other = FileSystemModelRegistry.open(dir.resolve("registry").toUri().toString(), new Configuration());
        assertThat(other.current()).contains(v1);
        assertThat(other.metadata(v1).metrics()).containsEntry("accuracy", 0.7);
    }

    @Test
    void damagedPointerIsReportedNotGuessed() throws IOException {
        Files.writeString(dir.resolve("registry/current"), "../../etc/passwd");
        assertThatThrownBy(() -> registry.current())
                .hasMessageContaining("registry pointer")
                .hasMessageContaining("is not a model version");
    }

    @Test
    void versionFileRejectsPathsOutsideTheVersion() throws IOException {
        VersionId v1 = commit("m", 0.7);
        assertThatThrownBy(() -> registry.versionFile(v1, "../../current"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a plain file name");
        assertThat(Files.readString(dir.resolve("registry/versions/v000001/metadata.json"), StandardCharsets.UTF_8))
                .contains("\"training_window\" : \"last 1000 rows\"");
    }

    @Test
    void blankLocationIsRefused() {
        assertThatThrownBy(() -> FileSystemModelRegistry.open(" ", new Configuration()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("model registry location is empty");
    }

    @Test
    void pruneKeepsEveryPromotedVersionAndTheNewestCandidates() throws IOException {
        VersionId v1 = commit("one", 0.9);
        VersionId v2 = commit("two", 0.8);
        VersionId v3 = commit("three", 0.7);
        VersionId v4 = commit("four", 0.91);
        VersionId v5 = commit("five", 0.6);
        VersionId v6 = commit("six", 0.5);
        VersionId v7 = commit("seven", 0.4);
        registry.promote(v1, "bootstrap");
        registry.promote(v4, "better");
        registry.rollback("bad in production");

        assertThat(registry.prune(2)).as("deleted: candidates beyond the newest two").containsExactly(v2, v3, v5);

        assertThat(registry.versions()).as("left").containsExactly(v1, v4, v6, v7);
        assertThat(dir.resolve("registry/versions/v000002")).doesNotExist();
        assertThat(registry.current()).contains(v1);
        registry.checkIntegrity(v4);
        assertThat(commit("eight", 0.9)).as("the next number is not reused").hasToString("v000008");
        assertThat(registry.prune(2)).as("a second prune").containsExactly(v6);
        assertThatThrownBy(() -> registry.prune(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("candidates to keep must be >= 1, got 0");
    }
}
