package dev.streamtree.launcher.demo;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MonitorFiguresTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static ModelMetrics round(String version, long second, long labelled, long correct) {
        return new ModelMetrics(version, T0.plusSeconds(second), 1000, Math.min(labelled, 1000), Math.min(correct, 1000),
                labelled, correct, Map.of(), T0, 0);
    }

    @Test
    void bucketsThePredictionsLabelledBetweenTwoRoundsOfTheMonitor() {
        MonitorFigures figures = new MonitorFigures(() -> T0, Duration.ofSeconds(5), d -> { });
        figures.metricsPublished(List.of(round("v000001", 1, 100, 90)));
        figures.metricsPublished(List.of(round("v000001", 3, 200, 170)));
        figures.metricsPublished(List.of(round("v000001", 6, 300, 220), round("v000002", 6, 50, 50)));
        figures.metricsPublished(List.of(round("v000001", 7, 300, 220))); // nothing new: no bucket entry

        assertThat(figures.buckets()).containsExactly(
                new AccuracyTimeline.Bucket(0, "v000001", 200, 170),
                new AccuracyTimeline.Bucket(5, "v000001", 100, 50),
                new AccuracyTimeline.Bucket(5, "v000002", 50, 50));
        assertThat(figures.accuracyBetween(0, 5)).isEqualTo(0.85);
        assertThat(figures.accuracyBetween(5, 10)).isEqualTo(100 / 150.0);
        assertThat(figures.accuracyBetween(20, 30)).isNaN();
        assertThat(figures.windowAccuracy("v000002")).isEqualTo(1.0);
        assertThat(figures.windowAccuracy(null)).isNaN();
        assertThat(figures.labelled()).isEqualTo(350);
    }

    @Test
    void recordsEachDriftDetectionInSecondsSinceTheStart() {
        List<DemoReport.Drift> told = new ArrayList<>();
        MonitorFigures figures = new MonitorFigures(() -> T0, Duration.ofSeconds(5), told::add);
        figures.driftDetected(new ControlMessage.DriftDetected("drift-v000001-1", "v000001", "adwin", T0.plusSeconds(130),
                T0.plusMillis(120_500), true, 0.05, 0.45, 3000, 200));

        assertThat(figures.drifts()).containsExactly(new DemoReport.Drift(130, "v000001", "adwin", 120.5, 0.05, 0.45));
        assertThat(told).isEqualTo(figures.drifts());
    }
}
