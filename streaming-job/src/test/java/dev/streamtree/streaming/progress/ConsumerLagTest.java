package dev.streamtree.streaming.progress;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConsumerLagTest {

    @Test
    void lagIsTheSumOverPartitionsOfLatestMinusRead() {
        assertThat(ConsumerLag.between("{\"events\":{\"0\":100,\"1\":40}}", "{\"events\":{\"0\":150,\"1\":40}}"))
                .hasValue(50);
        assertThat(ConsumerLag.between("{\"events\":{\"0\":100}}", "{\"events\":{\"0\":100,\"1\":7}}"))
                .as("a partition the query has not read yet counts from 0").hasValue(7);
    }

    @Test
    void lagPerPartitionNamesTopicAndPartitionAndCountsUnseenPartitionsFromZero() {
        assertThat(ConsumerLag.perPartition("{\"events\":{\"0\":100}}", "{\"events\":{\"0\":150,\"1\":7}}"))
                .hasValue(List.of(new ConsumerLag.PartitionLag("events", 0, 50), new ConsumerLag.PartitionLag("events", 1, 7)));
        assertThat(ConsumerLag.perPartition("{\"events\":{\"x\":1}}", "{\"events\":{\"x\":2}}")).isEmpty();
    }

    @Test
    void unknownWhenOffsetsAreMissingOrNotOffsetJson() {
        assertThat(ConsumerLag.between(null, "{\"events\":{\"0\":1}}")).isEmpty();
        assertThat(ConsumerLag.between("{\"events\":{\"0\":1}}", "not json")).isEmpty();
        assertThat(ConsumerLag.between("[]", "{}")).isEmpty();
    }

    @Test
    void statusBoardAccumulatesBatchesAndReportsTheLatestRates() {
        StatusBoard board = new StatusBoard(Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
        board.batchDone(new StatusBoard.BatchOutcome(0, 10, 8, 2, 0, 8, null, 0, 0, 900, 0, Map.of()));
        board.batchDone(new StatusBoard.BatchOutcome(1, 5, 5, 0, 5, 0, "v000001", 1, 0, 700, 40, Map.of()));
        board.progress(12.5, 20.0, List.of(new ConsumerLag.PartitionLag("events", 0, 1), new ConsumerLag.PartitionLag("events", 1, 2)));

        StreamingStatus status = board.snapshot();

        assertThat(status.state()).isEqualTo("running");
        assertThat(status.batches()).isEqualTo(2);
        assertThat(status.lastBatchId()).isEqualTo(1);
        assertThat(status.eventsRead()).isEqualTo(15);
        assertThat(status.eventsToLake()).isEqualTo(13);
        assertThat(status.deadLetters()).isEqualTo(2);
        assertThat(status.predictions()).isEqualTo(5);
        assertThat(status.unscoredEvents()).isEqualTo(8);
        assertThat(status.modelVersion()).isEqualTo("v000001");
        assertThat(status.summary()).contains("lag 3").contains("model v000001").contains("dead letters 2");
    }
}
