package dev.streamtree.monitor.cli;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlMessage;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MonitorViewTest {

    private static final Instant T = Instant.parse("2026-12-02T12:00:00Z");

    private static ModelMetrics metrics(String version, Instant at, long labelled, long correct) {
        return new ModelMetrics(version, at, 1000, labelled, correct, labelled, correct, Map.of("A", 0.5, "B", 1.0), T, 0);
    }

    @Test
    void showsTheLatestRecordPerVersionWithDriftsAndRetrainStatuses() {
        MonitorView view = new MonitorView();
        view.metrics(metrics("v000001", T.plusSeconds(10), 200, 150));
        view.metrics(metrics("v000001", T, 100, 10)); // older, read later: ignored
        view.metrics(metrics("v000002", T.plusSeconds(10), 40, 40));
        view.control(new ControlMessage.DriftDetected("drift-v000001-1", "v000001", "adwin", T.plusSeconds(5),
                T.minusSeconds(60), true, 0.05, 0.4, 150, 50));
        view.control(new ControlMessage.RetrainStatus("r1", ControlMessage.Status.PROMOTED, "v000002", "drift retrain",
                T.plusSeconds(8)));

        String text = view.text(T.plusSeconds(20));

        assertThat(text).contains("v000001   75.0% of 200").contains("A 50.0%  B 100.0%")
                .contains("v000002   100.0% of 40")
                .contains("drift: v000001 at 2026-12-02T12:00:05Z by adwin, change point 2026-12-02T11:59:00Z, error 5.0% -> 40.0%")
                .contains("promoted v000002  r1 drift retrain");
        assertThat(view.json(T)).contains("\"model_version\":\"v000001\"").contains("\"labelled\":200")
                .contains("\"drift_detections\":1").contains("\"status\":\"promoted\"");
    }

    @Test
    void saysWhenThereIsNothingToShow() {
        assertThat(new MonitorView().text(T)).contains("no model-metrics records yet").contains("drift: none detected")
                .contains("retrains: none yet");
    }
}
