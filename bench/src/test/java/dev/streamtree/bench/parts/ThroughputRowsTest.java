package dev.streamtree.bench.parts;

import dev.streamtree.bench.parts.BatchTimeline.Batch;
import dev.streamtree.bench.report.Measurement;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class ThroughputRowsTest {

    /** A warm-up batch, then two batches of {@code rows} lasting {@code ms} each, {@code gap} ms apart. */
    private static BatchTimeline run(long rows, long ms, long gap) {
        return new BatchTimeline(List.of(new Batch(0, 5_000, rows), new Batch(5_000, ms, rows),
                new Batch(5_000 + ms + gap, ms, rows)));
    }

    private static Map<String, Measurement> byMetric(List<Measurement> rows) {
        return rows.stream().collect(Collectors.toMap(m -> m.part() + " | " + m.metric().replaceAll(" \\(.*", ""),
                Function.identity()));
    }

    @Test
    void goalIsCheckedOnTheRatioOfTheMediansAndPairsGiveTheRange() {
        // passthrough 50k, 100k, 40k rec/s; streaming 45k, 60k, 50k rec/s (pairs 0.9, 0.6, 1.25)
        List<BatchTimeline> passthrough = List.of(run(50_000, 1_000, 0), run(100_000, 1_000, 0), run(40_000, 1_000, 0));
        List<BatchTimeline> streaming = List.of(run(45_000, 1_000, 0), run(60_000, 1_000, 0), run(50_000, 1_000, 0));
        Map<String, Measurement> rows = byMetric(ThroughputPart.rows(1_000, 100_000, 1e6, passthrough, streaming));

        Measurement p = rows.get("passthrough | Kafka->from_json->Kafka");
        assertThat(p.value()).as("passthrough median").isCloseTo(50_000, offset(1e-6));
        assertThat(p.metric()).contains("median of 3 runs, range 40,000-100,000");
        assertThat(rows.get("streaming | events->lake+predictions").value()).as("streaming median").isCloseTo(50_000, offset(1e-6));
        Measurement ratio = rows.get("streaming | streaming / passthrough");
        assertThat(ratio.value()).as("median / median, not a median of ratios").isCloseTo(1.0, offset(1e-9));
        assertThat(ratio.met()).isTrue();
        assertThat(rows.get("streaming | streaming / passthrough, per pair: lowest").value()).isCloseTo(0.6, offset(1e-9));
        assertThat(rows.get("streaming | streaming / passthrough, per pair: highest").value()).isCloseTo(1.25, offset(1e-9));
    }

    @Test
    void timeBetweenBatchesIsCountedPerQuery() {
        List<BatchTimeline> passthrough = List.of(run(50_000, 1_000, 0));
        List<BatchTimeline> streaming = List.of(run(50_000, 1_000, 500));
        Map<String, Measurement> rows = byMetric(ThroughputPart.rows(1_000, 100_000, 1e6, passthrough, streaming));

        assertThat(rows.get("streaming | time between counted batches, mean").value()).isEqualTo(500);
        assertThat(rows.get("streaming | time between counted batches / span").value()).isCloseTo(0.2, offset(1e-9));
        assertThat(rows.get("passthrough | time between counted batches / span").value()).isZero();
        assertThat(rows.get("streaming | counted batch duration, mean").value()).isEqualTo(1_000);
        assertThat(rows.get("streaming | warm-up batch").value()).isEqualTo(5_000);
        assertThat(rows.get("streaming | counted batches shorter than the trigger").value())
                .as("1,000 ms batches at a 1,000 ms trigger never wait for it").isZero();
        Map<String, Measurement> slowTrigger = byMetric(ThroughputPart.rows(1_500, 100_000, 1e6, passthrough, streaming));
        assertThat(slowTrigger.get("passthrough | counted batches shorter than the trigger").value()).isEqualTo(2);
        assertThat(rows).doesNotContainKey("streaming | partial last batch");
        Measurement ratio = rows.get("streaming | streaming / passthrough");
        assertThat(ratio.value()).as("the same batches, 500 ms lost between them").isCloseTo(0.8, offset(1e-9));
        assertThat(ratio.met()).isFalse();
    }

    @Test
    void aPartialLastBatchIsShownApartAndLeftOutOfTheRate() {
        BatchTimeline withTail = new BatchTimeline(List.of(new Batch(0, 5_000, 99_999), new Batch(5_000, 2_000, 99_999),
                new Batch(7_000, 2_000, 99_999), new Batch(9_000, 900, 5)));
        Map<String, Measurement> rows = byMetric(ThroughputPart.rows(1_000, 100_000, 1e6, List.of(withTail),
                List.of(withTail)));

        Measurement tail = rows.get("streaming | partial last batch");
        assertThat(tail.value()).isEqualTo(900);
        assertThat(tail.metric()).contains("5 rows in 1 of 1 runs");
        assertThat(rows.get("streaming | events->lake+predictions").value()).isCloseTo(199_998 / 4.0, offset(1e-9));
        assertThat(rows.get("streaming | counted batches per run").value()).isEqualTo(2);
    }

    @Test
    void warmUpRunsAreShownApartFromTheMedians() {
        Map<String, Measurement> rows = byMetric(ThroughputPart.warmUpRows(List.of(run(50_000, 1_000, 0)),
                List.of(run(40_000, 1_000, 0))));

        assertThat(rows.get("passthrough | warm-up").value()).isCloseTo(50_000, offset(1e-6));
        assertThat(rows.get("streaming | warm-up").value()).isCloseTo(40_000, offset(1e-6));
        Measurement ratio = rows.get("streaming | streaming / passthrough, warm-up");
        assertThat(ratio.value()).isCloseTo(0.8, offset(1e-9));
        assertThat(ratio.met()).as("no goal is checked on the warm-up").isNull();
        assertThat(ThroughputPart.warmUpRows(List.of(), List.of())).isEmpty();
        assertThatThrownBy(() -> ThroughputPart.warmUpRows(List.of(run(1, 1, 0)), List.of())).hasMessageContaining("pairs");
    }

    @Test
    void runsMustComeInPairs() {
        assertThatThrownBy(() -> ThroughputPart.rows(1_000, 10, 1e6, List.of(run(1, 1, 0)), List.of()))
                .hasMessageContaining("pairs");
    }
}
