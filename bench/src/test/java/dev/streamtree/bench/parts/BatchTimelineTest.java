package dev.streamtree.bench.parts;

import dev.streamtree.bench.parts.BatchTimeline.Batch;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class BatchTimelineTest {

    /** A warm-up batch, three batches of about 100k rows with 10, 30 and 0 ms between them, then a partial one. */
    private static final BatchTimeline RUN = new BatchTimeline(List.of(
            new Batch(0, 6_000, 100_000),
            new Batch(6_005, 2_000, 100_000),
            new Batch(8_015, 2_000, 100_000),
            new Batch(10_045, 1_500, 99_995),
            new Batch(11_545, 400, 5)));

    @Test
    void leavesTheWarmUpAndThePartialLastBatchOut() {
        assertThat(RUN.batches()).as("all non-empty batches").isEqualTo(5);
        assertThat(RUN.counted()).as("counted").hasSize(3);
        assertThat(RUN.rows()).as("counted rows").isEqualTo(299_995);
        assertThat(RUN.warmUpMs()).as("warm-up batch").isEqualTo(6_000);
        assertThat(RUN.partialTail()).as("partial last batch").contains(new Batch(11_545, 400, 5));
    }

    @Test
    void spanIsTheBatchesPlusTheGapsBetweenThem() {
        assertThat(RUN.gapsMs()).as("next start - (start + duration)").containsExactly(10L, 30L);
        assertThat(RUN.gapMs()).isEqualTo(40);
        assertThat(RUN.batchMs()).isEqualTo(5_500);
        assertThat(RUN.spanMs()).as("first counted start to last counted end").isEqualTo(11_545 - 6_005);
        assertThat(RUN.spanMs()).isEqualTo(RUN.batchMs() + RUN.gapMs());
        assertThat(RUN.rowsPerSecond()).isCloseTo(299_995 * 1000.0 / 5_540, offset(1e-9));
    }

    @Test
    void aLastBatchOfAtLeastHalfTheLargestIsCounted() {
        BatchTimeline run = new BatchTimeline(List.of(new Batch(0, 3_000, 100_000), new Batch(3_000, 2_000, 100_000),
                new Batch(5_000, 1_000, 50_000)));
        assertThat(run.partialTail()).isEmpty();
        assertThat(run.counted()).hasSize(2);
        assertThat(run.rows()).isEqualTo(150_000);
    }

    @Test
    void aSmallSecondBatchIsCountedWhenItIsTheOnlyOneAfterTheWarmUp() {
        BatchTimeline run = new BatchTimeline(List.of(new Batch(0, 3_000, 10_000), new Batch(3_000, 500, 5)));
        assertThat(run.partialTail()).isEmpty();
        assertThat(run.counted()).containsExactly(new Batch(3_000, 500, 5));
    }

    @Test
    void aSingleBatchIsCountedWithoutWarmUp() {
        BatchTimeline one = new BatchTimeline(List.of(new Batch(1_000, 500, 20_000)));
        assertThat(one.counted()).hasSize(1);
        assertThat(one.gapsMs()).isEmpty();
        assertThat(one.warmUpMs()).isNaN();
        assertThat(one.rowsPerSecond()).isEqualTo(40_000);
        assertThat(one.summary()).doesNotContainKey("warmUpBatchMs").doesNotContainKey("partialLastBatchMs");
    }

    @Test
    void noBatchesGiveNoRate() {
        BatchTimeline none = new BatchTimeline(List.of());
        assertThat(none.rowsPerSecond()).isNaN();
        assertThat(none.spanMs()).isZero();
    }

    @Test
    void summaryAndDescriptionCarryTheFigures() {
        assertThat(RUN.summary()).containsEntry("betweenBatchesMs", 40.0).containsEntry("maxGapMs", 30.0)
                .containsEntry("countedBatchMs", 5_500.0).containsEntry("warmUpBatchRows", 100_000.0)
                .containsEntry("partialLastBatchRows", 5.0).containsEntry("partialLastBatchMs", 400.0)
                .containsEntry("batches", 5.0);
        assertThat(RUN.describe()).startsWith("(0, 6000, 100000) (6005, 2000, 100000)").endsWith("(11545, 400, 5)");
    }

    @Test
    void refusesBatchesOutOfOrder() {
        assertThatThrownBy(() -> new BatchTimeline(List.of(new Batch(5_000, 10, 1), new Batch(1_000, 10, 1))))
                .hasMessageContaining("out of order at 1");
    }
}
