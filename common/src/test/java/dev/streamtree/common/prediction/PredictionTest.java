package dev.streamtree.common.prediction;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PredictionTest {

    private final EventSchema schema = SchemaCodec.load("builtin:agrawal");

    @Test
    void jsonRoundTripKeepsClassOrderAndPath() {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("B", 0.25);
        probabilities.put("A", 0.75);
        Prediction prediction = new Prediction("e-1", "A", probabilities, "v000002", 7L,
                Instant.parse("2024-01-01T10:00:00Z"), Instant.parse("2024-01-01T10:00:01.5Z"), List.of("age <= 40.0"));

        Prediction parsed = Prediction.parse(prediction.toJson());

        assertThat(parsed).isEqualTo(prediction);
        assertThat(parsed.probabilities().keySet()).containsExactly("B", "A");
    }

    @Test
    void parseNamesTheMissingField() {
        assertThatThrownBy(() -> Prediction.parse("{\"event_id\":\"x\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'probabilities'");
        assertThatThrownBy(() -> Prediction.parse("[1]")).hasMessageContaining("JSON object");
    }

    @Test
    void modelOfTheSameSchemaIsCompatible() {
        assertThat(ModelCompatibility.problem(schema, metadata(schema.fingerprint(), schema.featureNames(), List.of("A", "B"))))
                .isEmpty();
    }

    @Test
    void modelOfAnotherSchemaOrFeatureSetIsRefusedWithReason() {
        assertThat(ModelCompatibility.problem(schema, metadata("abc", schema.featureNames(), List.of("A", "B"))))
                .hasValueSatisfying(reason -> assertThat(reason).contains("'abc'").contains(schema.fingerprint()));
        assertThat(ModelCompatibility.problem(schema, metadata(schema.fingerprint(), List.of("salary"), List.of("A", "B"))))
                .hasValueSatisfying(reason -> assertThat(reason).contains("[salary]"));
        assertThat(ModelCompatibility.problem(schema, metadata(schema.fingerprint(), schema.featureNames(), List.of("B", "A"))))
                .hasValueSatisfying(reason -> assertThat(reason).contains("classes [B, A]"));
    }

    private static ModelMetadata metadata(String fingerprint, List<String> features, List<String> classes) {
        return new ModelMetadata(Instant.EPOCH, fingerprint, features, classes, "test", 10, 2, Map.of(), Map.of(),
                Map.of(), Map.of(), null, "4.1.0", "0.1.0-SNAPSHOT");
    }
}
