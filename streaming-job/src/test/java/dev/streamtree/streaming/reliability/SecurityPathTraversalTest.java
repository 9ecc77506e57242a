package dev.streamtree.streaming.reliability;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Model versions and file names come from users ({@code models show/promote}, the dashboard): none of them may name
 * a path outside the registry root, or outside the version's own directory.
 */
class SecurityPathTraversalTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"../x", "../../etc/passwd", "v000001/../../x", "v000001/", "/v000001", "v1234567", "v00001",
            "-1", "1000000", "v000001\u0000x", "..", ".", "", " ", "v\u0661\u0662\u0663\u0664\u0665\u0666",
            "%2e%2e%2fv000001", "v000001;rm"})
    void versionTextThatIsNotAVersionIsRefusedNamingIt(String text) {
        assertThatThrownBy(() -> VersionId.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "v000000"})
    void versionZeroIsRefused(String text) {
        assertThatThrownBy(() -> VersionId.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1..999999");
    }

    @Test
    void everyParsedVersionNamesOneDirectoryLevel() {
        assertThat(VersionId.parse("v000042").toString()).isEqualTo("v000042");
        assertThat(VersionId.parse(" 42 ").toString()).isEqualTo("v000042");
        assertThat(VersionId.parse("999999").toString()).matches("v\\d{6}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../metadata.json", "../../current", "model/../../../x", "/etc/passwd", "..", ".hidden",
            "tree.txt/..", "a\\..\\b", "tree.txt\u0000.dot"})
    void versionFileNamesThatLeaveTheVersionAreRefused(String name) throws IOException {
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), new Configuration());
        Files.writeString(dir.resolve("registry").resolve("secret.txt"), "outside the version");
        VersionId version = commit(registry);
        assertThat(registry.versionFile(version, "tree.txt")).contains("if (salary <= 1.0) A else B\n");

        assertThatThrownBy(() -> registry.versionFile(version, name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a plain file name");
    }

    @Test
    void aFileNotInTheManifestIsNotServedEvenInsideTheVersion() throws IOException {
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(dir.resolve("registry").toString(), new Configuration());
        VersionId version = commit(registry);
        Files.writeString(dir.resolve("registry/versions").resolve(version.toString()).resolve("planted.txt"), "planted");
        assertThat(registry.versionFile(version, "planted.txt")).isEmpty();
    }

    private static VersionId commit(FileSystemModelRegistry registry) throws IOException {
        try (PendingVersion pending = registry.stage()) {
            Path model = Path.of(URI.create(pending.modelLocation()));
            Files.createDirectories(model);
            Files.writeString(model.resolve("part-00000"), "model");
            Files.writeString(Path.of(URI.create(pending.filesLocation())).resolve("tree.txt"), "if (salary <= 1.0) A else B\n");
            return pending.commit(new ModelMetadata(Instant.parse("2025-01-01T00:00:00Z"), SCHEMA.fingerprint(),
                    SCHEMA.featureNames(), SCHEMA.label().classes(), "test", 800, 200, Map.of("A", 500L, "B", 300L),
                    Map.of("maxDepth", "5"), Map.of("accuracy", 0.9), Map.of(), null, "4.1.0", "test"));
        }
    }
}
