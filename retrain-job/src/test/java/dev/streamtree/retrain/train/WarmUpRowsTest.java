package dev.streamtree.retrain.train;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.schema.SchemaCodec;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The warm-up's synthetic rows: the lake's columns, values the schema accepts, every class, the same on each call. */
class WarmUpRowsTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Instant END = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void rowsHaveTheLakeColumnsValuesInRangeAndEveryClass() {
        List<Row> rows = WarmUpRows.of(SCHEMA, 300, END);

        assertThat(rows).hasSize(300);
        int width = WarmUpRows.schema(SCHEMA).size();
        assertThat(rows).allSatisfy(row -> assertThat(row.size()).isEqualTo(width));
        List<String> columns = List.of(WarmUpRows.schema(SCHEMA).fieldNames());
        for (Feature feature : SCHEMA.features()) {
            int i = columns.indexOf(feature.name());
            assertThat(rows).as(feature.name()).allSatisfy(row -> {
                if (feature.isNumeric()) {
                    double value = (Double) row.get(i);
                    if (feature.min() != null) {
                        assertThat(value).isGreaterThanOrEqualTo(feature.min());
                    }
                    if (feature.max() != null) {
                        assertThat(value).isLessThanOrEqualTo(feature.max());
                    }
                } else {
                    assertThat(feature.values()).contains((String) row.get(i));
                }
            });
        }
        int label = columns.indexOf(SCHEMA.labelSpec().orElseThrow().name());
        Set<Object> classes = rows.stream().map(row -> row.get(label)).collect(Collectors.toSet());
        assertThat(classes).containsExactlyInAnyOrderElementsOf(SCHEMA.labelSpec().orElseThrow().classes());
        assertThat(((java.sql.Timestamp) rows.get(299).get(1)).toInstant()).isEqualTo(END.minusSeconds(1));
        assertThat(WarmUpRows.of(SCHEMA, 300, END)).as("seeded").isEqualTo(rows);
    }

    @Test
    void aSchemaWithoutLabelHasNothingToWarmUp() {
        EventSchema unlabelled = new EventSchema(SCHEMA.name(), SCHEMA.idField(), SCHEMA.eventTimeField(),
                SCHEMA.features(), null);
        assertThatThrownBy(() -> WarmUpRows.of(unlabelled, 10, END)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no label");
    }
}
