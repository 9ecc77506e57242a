package dev.streamtree.common.catalog;

import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakePartitionTest {

    @Test
    void partitionIsTheUtcDateAndHourOfTheEventTime() {
        LakePartition partition = LakePartition.of(Instant.parse("2024-02-29T23:59:59.999Z"));

        assertThat(partition).isEqualTo(new LakePartition("2024-02-29", 23));
        assertThat(partition.path()).isEqualTo("event_date=2024-02-29/event_hour=23");
        assertThat(partition.values()).containsExactly("2024-02-29", "23");
    }

    @Test
    void pathRoundTrips() {
        LakePartition partition = new LakePartition("2025-01-07", 4);

        assertThat(LakePartition.parsePath(partition.path())).isEqualTo(partition);
    }

    @Test
    void refusesMalformedValuesNamingThem() {
        assertThatThrownBy(() -> new LakePartition("2024-02-30", 1)).hasMessageContaining("'2024-02-30'");
        assertThatThrownBy(() -> new LakePartition("2024-02-01", 24)).hasMessageContaining("24");
        assertThatThrownBy(() -> LakePartition.parsePath("event_date=2024-01-01"))
                .hasMessageContaining("'event_date=2024-01-01' is not a partition path");
        assertThatThrownBy(() -> LakePartition.parsePath("event_date=2024-01-01/event_hour=x"))
                .hasMessageContaining("non-numeric hour");
    }

    @Test
    void layoutListsSchemaColumnsWithTypesThenPartitions() {
        var schema = SchemaCodec.load("builtin:agrawal");

        List<LakeLayout.Column> columns = LakeLayout.dataColumns(schema);

        assertThat(columns).extracting(LakeLayout.Column::name).containsExactlyElementsOf(schema.columns());
        assertThat(columns.get(1).type()).isEqualTo(LakeLayout.HiveType.TIMESTAMP);
        assertThat(columns).filteredOn(c -> c.name().equals("salary")).extracting(LakeLayout.Column::type)
                .containsExactly(LakeLayout.HiveType.DOUBLE);
        assertThat(columns).filteredOn(c -> c.name().equals("car")).extracting(LakeLayout.Column::type)
                .containsExactly(LakeLayout.HiveType.STRING);
        assertThat(LakeLayout.PARTITION_COLUMNS).extracting(c -> c.type().hiveName()).containsExactly("string", "int");
    }
}
