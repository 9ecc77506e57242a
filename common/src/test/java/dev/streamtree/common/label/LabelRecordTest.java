package dev.streamtree.common.label;

import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.schema.LabelSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LabelRecordTest {

    private static final LabelSpec CLASSES = new LabelSpec("group", List.of("A", "B"));
    private static final Instant KAFKA_TIME = Instant.parse("2026-12-02T10:00:00Z");

    private static LabelRecord parse(String key, String json) {
        return LabelRecord.parse(key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                json == null ? null : json.getBytes(StandardCharsets.UTF_8), CLASSES, KAFKA_TIME);
    }

    @Test
    void parsesTheContractAndRoundTrips() {
        LabelRecord label = parse("e-1", "{\"event_id\":\"e-1\",\"label\":\"B\",\"labelled_at\":\"2026-12-02T09:00:00Z\"}");
        assertThat(label).isEqualTo(new LabelRecord("e-1", "B", Instant.parse("2026-12-02T09:00:00Z")));
        assertThat(parse(null, new String(label.toJson(), StandardCharsets.UTF_8))).isEqualTo(label);
    }

    @Test
    void takesTheRecordTimestampWhenLabelledAtIsMissing() {
        assertThat(parse(null, "{\"event_id\":\"e-1\",\"label\":\"A\"}").labelledAt()).isEqualTo(KAFKA_TIME);
    }

    @Test
    void refusesBadLabelsWithAReasonNamingTheField() {
        assertThatThrownBy(() -> parse("e-1", "{\"event_id\":\"e-1\",\"label\":\"C\"}"))
                .hasMessage("field 'label' is 'C'; expected one of [A, B]");
        assertThatThrownBy(() -> parse("e-2", "{\"event_id\":\"e-1\",\"label\":\"A\"}"))
                .hasMessage("label record key 'e-2' differs from field 'event_id' 'e-1'");
        assertThatThrownBy(() -> parse(null, "{\"label\":\"A\"}")).hasMessage("field 'event_id' is missing");
        assertThatThrownBy(() -> parse(null, "{\"event_id\":\"e-1\",\"label\":1}"))
                .hasMessage("field 'label' must be a string, got number");
        assertThatThrownBy(() -> parse(null, "{\"event_id\":\"e-1\",\"label\":\"A\",\"labelled_at\":\"yesterday\"}"))
                .hasMessageContaining("field 'labelled_at' is 'yesterday'");
        assertThatThrownBy(() -> parse(null, "[1]")).hasMessage("label record must be a JSON object");
        assertThatThrownBy(() -> parse(null, "{\"event_id\":")).hasMessageStartingWith("label record is malformed JSON");
        assertThatThrownBy(() -> parse(null, null)).hasMessage("label record has no value (tombstone)");
        assertThatThrownBy(() -> parse(null, "{\"event_id\":\"a\",\"event_id\":\"b\",\"label\":\"A\"}"))
                .hasMessageContaining("Duplicate field 'event_id'");
    }

    @Test
    void refusesEventIdsTheEventRuleRefuses() {
        String message = "field 'event_id' must be 1-256 characters without control characters";
        for (String id : List.of("", "e\\u0001", "x".repeat(257))) {
            assertThatThrownBy(() -> parse(null, "{\"event_id\":\"" + id + "\",\"label\":\"A\"}")).as(id)
                    .hasMessage(message);
        }
        assertThat(parse(null, "{\"event_id\":\"" + "x".repeat(256) + "\",\"label\":\"A\"}").eventId()).hasSize(256);
    }

    @Test
    void eachRefusalNamesItsKindForTheDeadLetterCounts() {
        assertThat(kindOf(null, null)).isEqualTo(ValidationResult.Kind.TOMBSTONE);
        assertThat(kindOf(null, "{\"event_id\":")).isEqualTo(ValidationResult.Kind.JSON);
        assertThat(kindOf(null, "[1]")).isEqualTo(ValidationResult.Kind.JSON);
        assertThat(kindOf(null, "{\"label\":\"A\"}")).isEqualTo(ValidationResult.Kind.ID);
        assertThat(kindOf("other", "{\"event_id\":\"e\",\"label\":\"A\"}")).isEqualTo(ValidationResult.Kind.ID);
        assertThat(kindOf(null, "{\"event_id\":\"e\",\"label\":\"Z\"}")).isEqualTo(ValidationResult.Kind.LABEL);
        assertThat(kindOf(null, "{\"event_id\":\"e\",\"label\":1}")).isEqualTo(ValidationResult.Kind.LABEL);
        assertThat(kindOf(null, "{\"event_id\":\"e\",\"label\":\"A\",\"labelled_at\":\"yesterday\"}"))
                .isEqualTo(ValidationResult.Kind.EVENT_TIME);
        assertThat(kindOf(null, "x".repeat(LabelRecord.MAX_BYTES + 1))).isEqualTo(ValidationResult.Kind.TOO_LARGE);
    }

    private static ValidationResult.Kind kindOf(String key, String value) {
        try {
            parse(key, value);
        } catch (LabelRecord.Invalid e) {
            return e.kind();
        }
        throw new AssertionError("accepted " + value);
    }

    @Test
    void theLatestLabelWins() {
        LabelRecord first = new LabelRecord("e", "A", Instant.parse("2026-12-02T09:00:00Z"));
        LabelRecord later = new LabelRecord("e", "B", Instant.parse("2026-12-02T09:05:00Z"));
        assertThat(later.supersedes(first)).isTrue();
        assertThat(first.supersedes(later)).as("an older correction arriving late does not win").isFalse();
        assertThat(first.supersedes(null)).isTrue();
    }

    @Test
    void atTheSameInstantTheGreaterLabelWinsInEitherArrivalOrder() {
        Instant at = Instant.parse("2026-12-02T09:00:00Z");
        LabelRecord a = new LabelRecord("e", "A", at);
        LabelRecord b = new LabelRecord("e", "B", at);
        assertThat(b.supersedes(a)).isTrue();
        assertThat(a.supersedes(b)).as("A arriving after B at the same instant").isFalse();
        assertThat(a.supersedes(new LabelRecord("e", "A", at))).as("a repeat of the same label").isTrue();
    }
}
