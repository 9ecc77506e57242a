package dev.streamtree.common.accuracy;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelMetricsTest {

    @Test
    void roundTripsWithRatesDerivedFromCounts() {
        var metrics = new ModelMetrics("v000002", Instant.parse("2026-12-02T10:00:00Z"), 1000, 800, 720, 5000, 4600,
                Map.of("A", 0.9), Instant.parse("2026-12-02T09:59:58Z"), 1);
        assertThat(metrics.windowAccuracy()).isEqualTo(0.9);
        assertThat(metrics.accuracy()).isEqualTo(0.92);
        String json = new String(metrics.toJson(), StandardCharsets.UTF_8);
        assertThat(json).contains("\"type\":\"model-metrics\"", "\"window_accuracy\":0.9", "\"accuracy\":0.92");
        assertThat(ModelMetrics.parse(metrics.toJson())).isEqualTo(metrics);
    }

    @Test
    void ratesAreNullBeforeTheFirstLabelAndBadCountsAreRefused() {
        var empty = new ModelMetrics("v000001", Instant.EPOCH, 1000, 0, 0, 0, 0, Map.of(), null, 0);
        assertThat(new String(empty.toJson(), StandardCharsets.UTF_8)).contains("\"accuracy\":null");
        assertThat(ModelMetrics.parse(empty.toJson()).accuracy()).isNaN();
        assertThatThrownBy(() -> new ModelMetrics("v1", Instant.EPOCH, 10, 1, 2, 0, 0, Map.of(), null, 0))
                .hasMessageContaining("inconsistent");
        assertThatThrownBy(() -> ModelMetrics.parse("{\"type\":\"other\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("not a model-metrics record");
    }
}
