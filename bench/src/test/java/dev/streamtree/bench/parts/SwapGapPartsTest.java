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

    @Test
    void batchesWithoutASwapBetweenTheFirstAndLastSwapAreMeasuredApart() {
        // Swaps made batches 3 and 6; batches 4, 5 and 7 scored with the serving version, 2 and 8 lie outside.
        Map<Long, Long> starts = Map.of(2L, 0L, 3L, 500L, 4L, 1_000L, 5L, 1_500L, 6L, 2_000L, 7L, 2_500L, 8L, 3_000L);
        Map<Long, Long> received = Map.of(2L, 10L, 3L, 590L, 4L, 1_030L, 5L, 1_540L, 6L, 2_090L, 8L, 3_010L);
        List<long[]> swapped = List.of(new long[] {400, 3, 590}, new long[] {1_900, 6, 2_090});

        List<Measurement> rows = SwapPart.ordinaryBatches("swap", swapped,
                batch -> starts.containsKey(batch) ? OptionalLong.of(starts.get(batch)) : OptionalLong.empty(),
                batch -> received.containsKey(batch) ? OptionalLong.of(received.get(batch)) : OptionalLong.empty());

        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).value()).as("max of batches 4 and 5 (30 and 40 ms); 7 has no prediction").isEqualTo(40);
        assertThat(rows.get(0).metric()).contains("2 batches", "min 30 ms");
        assertThat(rows.get(0).met()).isNull();
        assertThat(rows.get(1).value()).as("switching batches 3 and 6 took 90 ms each").isEqualTo(90);
        assertThat(rows.get(1).goal()).isEqualTo("<= 40 ms");
        assertThat(rows.get(1).met()).as("a swap that slows its batch past the others' spread misses").isFalse();
        assertThat(SwapPart.ordinaryBatches("swap", List.of(), b -> OptionalLong.empty(), b -> OptionalLong.empty()))
                .isEmpty();
    }

    @Test
    void aSwitchingBatchAsFastAsTheOthersMeetsTheCheck() {
        Map<Long, Long> starts = Map.of(3L, 500L, 4L, 1_000L, 5L, 1_500L, 6L, 2_000L);
        Map<Long, Long> received = Map.of(3L, 530L, 4L, 1_030L, 5L, 1_560L, 6L, 2_035L);
        List<long[]> swapped = List.of(new long[] {400, 3, 530}, new long[] {1_900, 6, 2_035});

        List<Measurement> rows = SwapPart.ordinaryBatches("swap", swapped, batch -> OptionalLong.of(starts.get(batch)),
                batch -> OptionalLong.of(received.get(batch)));

        assertThat(rows.get(1).value()).as("nearest-rank median of 30 and 35 ms").isEqualTo(30);
        assertThat(rows.get(1).goal()).as("the others took 30 and 60 ms").isEqualTo("<= 60 ms");
        assertThat(rows.get(1).met()).isTrue();
    }

    @Test
    void promotionsAreSpreadOverTheTriggersCycle() {
        assertThat(List.of(SwapPart.phase(0, 4, 500), SwapPart.phase(1, 4, 500), SwapPart.phase(2, 4, 500),
                SwapPart.phase(3, 4, 500))).containsExactly(62L, 187L, 312L, 437L);
        assertThat(SwapPart.phase(19, 20, 500)).isEqualTo(487);

        assertThat(SwapPart.millisUntilPhase(10_000, 500, 62)).as("a cycle starts at 10,000").isEqualTo(62);
        assertThat(SwapPart.millisUntilPhase(10_100, 500, 62)).as("62 passed: the next cycle's").isEqualTo(462);
        assertThat(SwapPart.millisUntilPhase(10_062, 500, 62)).as("on it").isZero();

        List<long[]> swapped = List.of(new long[] {10_062, 1, 0}, new long[] {11_437, 2, 0}, new long[] {12_201, 3, 0});
        assertThat(SwapPart.phases(swapped, 500)).containsExactly(62, 437);
    }
}
