package dev.streamtree.streaming.metrics;

import dev.streamtree.streaming.progress.ConsumerLag;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.testing.MetricsScrape;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StreamingMetricsTest {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final StatusBoard board = new StatusBoard(Clock.systemUTC(), new StreamingMetrics(registry));

    private MetricsScrape scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        return MetricsScrape.parse(out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void countsAddUpOverBatchesAndPredictionsAreLabelledByTheVersionThatMadeThem() throws IOException {
        board.batchDone(new StatusBoard.BatchOutcome(0, 10, 8, 2, 0, 8, null, 0, 0, 900, 0,
                Map.of("json", 1L, "feature", 1L)));
        board.batchDone(new StatusBoard.BatchOutcome(1, 5, 5, 0, 5, 0, "v000001", 1, 0, 700, 250, Map.of()));
        board.batchDone(new StatusBoard.BatchOutcome(2, 7, 6, 1, 6, 0, "v000002", 2, 1, 300, 125,
                Map.of("feature", 1L)));

        MetricsScrape scrape = scrape();

        assertThat(scrape.value("streamtree_events_read_total")).as("read").hasValue(22.0);
        assertThat(scrape.value("streamtree_events_to_lake_total")).as("to lake").hasValue(19.0);
        assertThat(scrape.value("streamtree_dead_letters_total", "reason", "json")).as("json dead letters").hasValue(1.0);
        assertThat(scrape.value("streamtree_dead_letters_total", "reason", "feature")).as("feature dead letters")
                .hasValue(2.0);
        assertThat(scrape.named("streamtree_dead_letters_total")).as("only reasons that occurred").hasSize(2);
        assertThat(scrape.value("streamtree_unscored_events_total")).as("unscored").hasValue(8.0);
        assertThat(scrape.value("streamtree_predictions_total", "version", "v000001")).hasValue(5.0);
        assertThat(scrape.value("streamtree_predictions_total", "version", "v000002")).hasValue(6.0);
        assertThat(scrape.value("streamtree_batch_duration_seconds_count")).hasValue(3.0);
        assertThat(scrape.value("streamtree_batch_duration_seconds_sum")).hasValueSatisfying(
                s -> assertThat(s).isCloseTo(1.9, org.assertj.core.data.Offset.offset(1e-9)));
        assertThat(scrape.value("streamtree_model_swaps_total")).as("swaps, from the running total").hasValue(2.0);
        assertThat(scrape.value("streamtree_model_refusals_total")).as("refusals").hasValue(1.0);
        assertThat(scrape.value("streamtree_model_load_seconds_count")).as("one load per swap").hasValue(2.0);
        assertThat(scrape.value("streamtree_model_load_seconds_sum")).hasValueSatisfying(
                s -> assertThat(s).isCloseTo(0.375, org.assertj.core.data.Offset.offset(1e-9)));
    }

    @Test
    void labelsAndRefusedLabelsAreCountedByReasonApartFromEvents() throws IOException {
        board.labelBatchDone(new StatusBoard.LabelOutcome(0, 12, 10, 2, 40, Map.of("label", 1L, "json", 1L)));
        board.labelBatchDone(new StatusBoard.LabelOutcome(1, 7, 0, 1, 30, Map.of("label", 1L)));

        MetricsScrape scrape = scrape();

        assertThat(scrape.value("streamtree_labels_to_lake_total")).as("a replayed batch's labels counted once")
                .hasValue(10.0);
        assertThat(scrape.value("streamtree_label_dead_letters_total", "reason", "label")).hasValue(2.0);
        assertThat(scrape.value("streamtree_label_dead_letters_total", "reason", "json")).hasValue(1.0);
        assertThat(scrape.named("streamtree_dead_letters_total")).as("events' dead letters untouched").isEmpty();
        assertThat(board.snapshot().labelsToLake()).isEqualTo(10);
        assertThat(board.snapshot().labelDeadLetters()).isEqualTo(3);
    }

    @Test
    void servingVersionIsOneLabelledSampleThatFollowsTheSwapAndIsAbsentBeforeAnyModel() throws IOException {
        board.batchDone(new StatusBoard.BatchOutcome(0, 1, 1, 0, 0, 1, null, 0, 0, 10, 0, Map.of()));
        assertThat(scrape().named("streamtree_serving_model_info")).as("no model yet").isEmpty();

        board.batchDone(new StatusBoard.BatchOutcome(1, 1, 1, 0, 1, 0, "v000001", 1, 0, 10, 5, Map.of()));
        board.batchDone(new StatusBoard.BatchOutcome(2, 1, 1, 0, 1, 0, "v000002", 2, 0, 10, 5, Map.of()));

        assertThat(scrape().named("streamtree_serving_model_info")).singleElement().satisfies(s -> {
            assertThat(s.labels()).containsEntry("version", "v000002");
            assertThat(s.value()).isEqualTo(1.0);
        });
    }

    @Test
    void lagIsReportedPerTopicPartitionAndTheBoardKeepsTheSum() throws IOException {
        board.progress(10, 10, List.of(new ConsumerLag.PartitionLag("events", 0, 4),
                new ConsumerLag.PartitionLag("events", 1, 0)));
        board.progress(10, 10, List.of(new ConsumerLag.PartitionLag("events", 0, 1),
                new ConsumerLag.PartitionLag("events", 1, 2)));

        MetricsScrape scrape = scrape();

        assertThat(scrape.value("streamtree_consumer_lag_records", "topic", "events", "partition", "0")).hasValue(1.0);
        assertThat(scrape.value("streamtree_consumer_lag_records", "topic", "events", "partition", "1")).hasValue(2.0);
        assertThat(board.snapshot().consumerLag()).isEqualTo(3);
        board.progress(0, 0, List.of());
        assertThat(board.snapshot().consumerLag()).as("unknown without offsets").isEqualTo(-1);
    }
}
