package dev.streamtree.common.control;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ControlCodecTest {

    private static final Instant AT = Instant.parse("2025-03-01T10:00:00Z");

    @Test
    void requestRoundTripsWithContractFieldNames() {
        var request = new ControlMessage.RetrainRequest("r-1", AT, true, "alice");
        byte[] bytes = ControlCodec.encode(request);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"retrain-request\",\"request_id\":\"r-1\",\"requested_at\":\"2025-03-01T10:00:00Z\",\"force\":true,\"requested_by\":\"alice\",\"reason\":\"request\"}");
        assertThat(ControlCodec.decode(bytes)).contains(request);
    }

    @Test
    void requestWithoutReasonDecodesAsOnDemandAndDriftRequestCarriesItsChangePoint() {
        String old = "{\"type\":\"retrain-request\",\"request_id\":\"r-0\",\"requested_at\":\"2025-03-01T10:00:00Z\",\"force\":false}";
        var decoded = (ControlMessage.RetrainRequest) ControlCodec.decode(old.getBytes(StandardCharsets.UTF_8)).orElseThrow();
        assertThat(decoded.reason()).isEqualTo(ControlMessage.Reason.REQUEST);
        assertThat(decoded.trainFrom()).isNull();

        var drift = new ControlMessage.RetrainRequest("d-1", AT, false, "scheduler", ControlMessage.Reason.DRIFT,
                Instant.parse("2025-03-01T09:59:00Z"));
        byte[] bytes = ControlCodec.encode(drift);
        assertThat(new String(bytes, StandardCharsets.UTF_8))
                .contains("\"reason\":\"drift\"", "\"train_from\":\"2025-03-01T09:59:00Z\"");
        assertThat(ControlCodec.decode(bytes)).contains(drift);
        assertThatThrownBy(() -> ControlCodec.decode(old.replace("}", ",\"reason\":\"whim\"}").getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("'whim' is not a retrain reason");
    }

    @Test
    void driftDetectionRoundTripsWithContractFieldNames() {
        Instant detected = Instant.parse("2025-03-01T10:00:05Z");
        var drift = new ControlMessage.DriftDetected(ControlMessage.DriftDetected.idFor("v000003", detected), "v000003",
                "adwin", detected, Instant.parse("2025-03-01T10:00:01Z"), true, 0.05, 0.41, 2400, 120);
        assertThat(drift.requestId()).isEqualTo("drift-v000003-" + detected.toEpochMilli());
        String json = new String(ControlCodec.encode(drift), StandardCharsets.UTF_8);
        assertThat(json).contains("\"type\":\"drift-detected\"", "\"change_point\":\"2025-03-01T10:00:01Z\"",
                "\"error_before\":0.05", "\"error_after\":0.41", "\"items_after_change\":120");
        assertThat(ControlCodec.decode(json.getBytes(StandardCharsets.UTF_8))).contains(drift);
        assertThatThrownBy(() -> ControlCodec.decode(json.replace("\"error_after\":0.41", "\"error_after\":\"x\"")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("number field 'error_after'");
    }

    @Test
    void statusRoundTripsIncludingNullVersion() {
        var started = new ControlMessage.RetrainStatus("r-1", ControlMessage.Status.STARTED, null, "", AT);
        var promoted = new ControlMessage.RetrainStatus("r-1", ControlMessage.Status.PROMOTED, "v000002", "accuracy 0.93", AT);
        assertThat(ControlCodec.decode(ControlCodec.encode(started))).contains(started);
        assertThat(ControlCodec.decode(ControlCodec.encode(promoted))).contains(promoted);
        assertThat(new String(ControlCodec.encode(promoted), StandardCharsets.UTF_8)).contains("\"status\":\"promoted\"");
        assertThat(started.isFinal()).isFalse();
        assertThat(promoted.isFinal()).isTrue();
    }

    @Test
    void otherTypesAreSkippedAndBrokenMessagesNamed() {
        assertThat(ControlCodec.decode("{\"type\":\"something-else\"}".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> ControlCodec.decode("not json".getBytes(StandardCharsets.UTF_8)))
                .hasMessageStartingWith("control message is not JSON");
        assertThatThrownBy(() -> ControlCodec.decode("{\"type\":\"retrain-status\",\"request_id\":\"x\",\"status\":\"done\",\"at\":\"2025-01-01T00:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("'done' is not a retrain status");
        assertThatThrownBy(() -> new ControlMessage.RetrainRequest("has space", AT, false, ""))
                .hasMessageContaining("request id 'has space'");
    }
}
