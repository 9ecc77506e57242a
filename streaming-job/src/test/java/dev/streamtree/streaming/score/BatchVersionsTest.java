package dev.streamtree.streaming.score;

import dev.streamtree.common.registry.VersionId;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchVersionsTest {

    private static final VersionId V1 = new VersionId(1);
    private static final VersionId V2 = new VersionId(2);

    @TempDir
    Path checkpoint;

    private BatchVersions open() {
        return BatchVersions.open(checkpoint.toString(), new Configuration());
    }

    @Test
    void aRestartedJobFindsTheVersionItsFirstAttemptRecorded() {
        BatchVersions first = open();
        assertThat(first.recorded(7)).isEmpty();
        first.record(7, V1);

        BatchVersions restarted = open();
        assertThat(restarted.recorded(7)).as("the replay of batch 7 after a restart").contains(V1);
        assertThat(restarted.recorded(6)).isEmpty();
        assertThat(Path.of(checkpoint.toString(), "_streamtree", "batch-versions", "7")).hasContent("v000001");
    }

    @Test
    void aBatchReplayedInTheSameProcessFindsItsRecordToo() {
        BatchVersions versions = open();
        versions.recorded(3);
        versions.record(3, V1);
        versions.recorded(4);
        versions.record(4, V2);

        assertThat(versions.recorded(4)).contains(V2);
        assertThat(versions.recorded(3)).contains(V1);
    }

    @Test
    void keepsOnlyTheNewestRecordsAndLeavesNoTemporaryFiles() throws IOException {
        BatchVersions versions = open();
        for (long batch = 0; batch < 25; batch++) {
            versions.record(batch, batch < 20 ? V1 : V2);
        }
        assertThat(names()).containsExactlyInAnyOrder("15", "16", "17", "18", "19", "20", "21", "22", "23", "24");

        BatchVersions restarted = open();
        restarted.record(40, V2);
        assertThat(names()).as("a restarted store prunes what an earlier one left").containsExactly("40");
        assertThat(restarted.recorded(24)).isEmpty();
    }

    @Test
    void aDamagedRecordCountsAsNoneAndIsReplaced() throws IOException {
        Path dir = Files.createDirectories(checkpoint.resolve("_streamtree").resolve("batch-versions"));
        Files.writeString(dir.resolve("5"), "");
        Files.writeString(dir.resolve(".6.tmp"), "v0000");

        BatchVersions versions = open();
        assertThat(versions.recorded(5)).isEmpty();
        versions.record(5, V2);
        assertThat(open().recorded(5)).contains(V2);
        assertThat(open().recorded(6)).as("a temporary file is no record").isEmpty();
    }

    @Test
    void anUnwritableCheckpointFailsTheRecordNamingIt() throws IOException {
        Files.writeString(checkpoint.resolve("_streamtree"), "a file where the directory should be");
        assertThatThrownBy(() -> open().record(1, V1)).isInstanceOf(java.io.UncheckedIOException.class)
                .hasMessageContaining("cannot record model v000001 for batch 1");
    }

    private String[] names() throws IOException {
        try (Stream<Path> files = Files.list(checkpoint.resolve("_streamtree").resolve("batch-versions"))) {
            return files.map(p -> p.getFileName().toString()).toArray(String[]::new);
        }
    }
}
