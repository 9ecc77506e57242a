package dev.streamtree.launcher.lake;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.lake.maintenance.LakeStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LakeCommandTest {

    private static final LakeStatus STATUS = new LakeStatus("spark_catalog.streamtree.events", "file:/lake/streamtree/events",
            42L, Optional.of(Instant.parse("2026-12-02T10:00:00Z")), 3, Optional.of(Instant.parse("2026-12-01T10:00:00Z")),
            2, 7, 6, 5_242_880L, 12_345L, Optional.of(new LakePartition("2026-11-01", 0)),
            Optional.of(new LakePartition("2026-12-02", 9)), List.of(new LakePartition("2026-12-02", 3)), Optional.of("90d"));

    @Test
    void statusTableNamesEveryFigure() {
        assertThat(LakeCommand.render(STATUS)).as("status table")
                .contains("partitions           2")
                .contains("files                7 (6 small)")
                .contains("5,242,880 (5.0 MB)")
                .contains("rows                 12,345")
                .contains("oldest hour          event_date=2026-11-01/event_hour=0")
                .contains("pending compaction   1 hours, oldest event_date=2026-12-02/event_hour=3")
                .contains("retention            90d (table property streamtree.retain)");
    }

    @Test
    void statusJsonCarriesTheSameFigures() {
        Map<String, Object> json = LakeCommand.toJson(STATUS);
        assertThat(json).containsEntry("files", 7).containsEntry("small_files", 6).containsEntry("rows", 12_345L)
                .containsEntry("hours_pending_compaction", 1).containsEntry("newest_hour", "event_date=2026-12-02/event_hour=9")
                .containsEntry("retain", "90d").containsEntry("snapshot_id", 42L);
    }
}
