package dev.streamtree.streaming.realtime;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The repair of a real-time checkpoint that records no batch, on a real local directory. */
class RealTimeCheckpointTest {

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_700_000_000_000L), ZoneOffset.UTC);

    @TempDir
    java.nio.file.Path checkpoint;

    @Test
    void aCheckpointWithoutOffsetsButWithCommitsAndStateHasThemMovedAside() throws IOException {
        Files.createDirectories(checkpoint.resolve("offsets"));
        Files.createDirectories(checkpoint.resolve("commits"));
        Files.writeString(checkpoint.resolve("commits/0"), "v1\n{\"nextBatchWatermarkMs\":0}");
        Files.createDirectories(checkpoint.resolve("state/0"));
        Files.writeString(checkpoint.resolve("metadata"), "{\"id\":\"q\"}");

        List<Path> moved = RealTimeCheckpoint.repairUnstarted(checkpoint.toString(), new Configuration(), CLOCK);

        assertThat(moved).extracting(Path::getName)
                .containsExactly("commits.unstarted-1700000000000", "state.unstarted-1700000000000");
        assertThat(checkpoint.resolve("commits")).doesNotExist();
        assertThat(checkpoint.resolve("state")).doesNotExist();
        assertThat(checkpoint.resolve("commits.unstarted-1700000000000/0")).as("kept for inspection").exists();
        assertThat(checkpoint.resolve("metadata")).as("the query id stays").exists();
    }

    @Test
    void aCheckpointThatRecordsABatchIsLeftAlone() throws IOException {
        Files.createDirectories(checkpoint.resolve("offsets"));
        Files.writeString(checkpoint.resolve("offsets/0"), "v1");
        Files.createDirectories(checkpoint.resolve("commits"));
        Files.writeString(checkpoint.resolve("commits/0"), "v1");

        assertThat(RealTimeCheckpoint.repairUnstarted(checkpoint.toString(), new Configuration(), CLOCK)).isEmpty();
        assertThat(checkpoint.resolve("commits/0")).exists();
    }

    @Test
    void anEmptyOrMissingCheckpointIsLeftAlone() {
        assertThat(RealTimeCheckpoint.repairUnstarted(checkpoint.toString(), new Configuration(), CLOCK)).isEmpty();
        assertThat(RealTimeCheckpoint.repairUnstarted(checkpoint.resolve("none").toString(), new Configuration(), CLOCK))
                .isEmpty();
        assertThat(checkpoint.resolve("none")).doesNotExist();
    }
}
