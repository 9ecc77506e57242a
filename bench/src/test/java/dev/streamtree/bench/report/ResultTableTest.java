package dev.streamtree.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultTableTest {

    private static final List<Measurement> ROWS = List.of(
            Measurement.plain("kafka", "produce", 151234.6, "rec/s"),
            Measurement.checked("streaming", "streaming / passthrough", 0.9312, "ratio", "passthrough", ">= 0.90", true),
            Measurement.checked("latency-5000", "p99 end-to-end", 1450, "ms", "", "< 1000 ms", false),
            Measurement.checked("training", "FAILED: no sklearn", Double.NaN, "", "", "completes", false));

    @Test
    void rendersAlignedColumnsWithVerdicts() {
        List<String> lines = ResultTable.render(ROWS).lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).startsWith("part").containsPattern("\\| +value \\|").contains("verdict");
        assertThat(lines.get(1)).matches("[-| ]+");
        assertThat(lines.get(2)).contains("kafka").contains("151,235").contains("rec/s").doesNotContain("PASS");
        assertThat(lines.get(3)).contains("0.931").contains(">= 0.90").endsWith("PASS");
        assertThat(lines.get(4)).contains("1,450").endsWith("MISS");
        assertThat(lines.get(5)).contains("n/a").endsWith("MISS");
        int bar = lines.get(0).indexOf('|');
        assertThat(lines).allSatisfy(line -> assertThat(line.indexOf('|')).isEqualTo(bar));
    }

    @Test
    void jsonKeepsNumbersAndVerdicts() {
        JsonNode json = ResultTable.json(ROWS);
        assertThat(json.size()).isEqualTo(4);
        assertThat(json.get(0).get("value").asDouble()).isEqualTo(151234.6);
        assertThat(json.get(0).get("met").isNull()).isTrue();
        assertThat(json.get(1).get("met").asBoolean()).isTrue();
        assertThat(json.get(1).get("baseline").asText()).isEqualTo("passthrough");
        assertThat(json.get(2).get("met").asBoolean()).isFalse();
        assertThat(json.get(3).get("value").isNull()).as("NaN becomes null, not invalid JSON").isTrue();
    }

    @Test
    void formatsNumbersForReading() {
        assertThat(ResultTable.format(12.0)).isEqualTo("12");
        assertThat(ResultTable.format(0.12345)).isEqualTo("0.123");
        assertThat(ResultTable.format(-0.0042)).isEqualTo("-0.004");
        assertThat(ResultTable.format(20000.4)).isEqualTo("20,000");
    }
}
