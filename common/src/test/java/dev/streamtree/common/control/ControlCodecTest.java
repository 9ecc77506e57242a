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
                "{\"type\":\"retrain-request\",\"request_id\":\"r-1\",\"requested_at\":\"2025-03-01T10:00:00Z\",\"force\":true,\"requested_by\":\"alice\"}");
        assertThat(ControlCodec.decode(bytes)).contains(request);
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
