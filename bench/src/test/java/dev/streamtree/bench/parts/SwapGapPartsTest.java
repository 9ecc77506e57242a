package dev.streamtree.bench.parts;

import dev.streamtree.bench.report.Measurement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class SwapGapPartsTest {

    @Test
    void eachGapSplitsAtTheStartOfTheBatchThatFirstScoredWithTheNewVersion() {
        // Batch 7 started at 1,500 and batch 12 at 4,000; batch 20 never reported.
        Map<Long, Long> starts = Map.of(7L, 1_500L, 12L, 4_000L);
        List<long[]> swapped = List.of(new long[] {1_020, 7, 1_530}, new long[] {3_510, 12, 4_060},
                new long[] {9_000, 20, 9_400});

        List<Measurement> rows = SwapPart.gapParts("swap", swapped,
                batch -> starts.containsKey(batch) ? OptionalLong.of(starts.get(batch)) : OptionalLong.empty(), 505);

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).value()).as("promotion -> batch start, max of 480 and 490").isEqualTo(490);
        assertThat(rows.get(0).metric()).contains("2 swaps");
        assertThat(rows.get(0).met()).as("490 <= 505").isTrue();
        assertThat(rows.get(1).met()).as("the delivery part carries no goal").isNull();
        assertThat(SwapPart.gapParts("swap", swapped.subList(0, 1), batch -> OptionalLong.of(1_500), 400).get(0).met())
                .as("480 > 400").isFalse();
        assertThat(rows.get(1).value()).as("batch start -> first prediction, max of 30 and 60").isEqualTo(60);
        assertThat(rows.get(1).metric()).contains("min 30 ms");
        assertThat(SwapPart.gapParts("swap", List.of(), batch -> OptionalLong.empty(), 505)).isEmpty();
    }
}
