package dev.streamtree.common.prediction;

import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

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
    void theWrittenBytesReadBackFieldByFieldAsTheTextDoes() {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("B", 0.1 + 0.2);
        probabilities.put("A", 1e-7);
        for (List<String> path : List.of(List.<String>of(), List.of("age <= 40.0", "elevel in {0, 1}"))) {
            Prediction prediction = new Prediction("e-\u00e9\"1", "A", probabilities, "v000002", 1L << 40,
                    Instant.parse("2024-01-01T10:00:00Z"), Instant.parse("2024-01-01T10:00:01.123456Z"), path);
            byte[] bytes = prediction.toJsonBytes();
            assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(prediction.toJson());
            assertThat(Prediction.parse(bytes)).isEqualTo(prediction).isEqualTo(Prediction.parse(prediction.toJson()));
            assertThat(Prediction.parse(bytes).probabilities().keySet()).containsExactly("B", "A");
        }
    }

    @Test
    void aWriterKeptAcrossPredictionsWritesEachOnesOwnBytes() {
        Map<String, Double> probabilities = new LinkedHashMap<>();
        probabilities.put("A", 1.0 / 3);
        probabilities.put("B", 2.0 / 3);
        List<Prediction> predictions = List.of(
                new Prediction("e-1", "B", probabilities, "v000002", 3L, Instant.parse("2024-01-01T10:00:00Z"),
                        Instant.parse("2024-01-01T10:00:01Z"), List.of()),
                new Prediction("e-\u00e9\"\\2", "A", Map.of("A", 1e-7), "v000003", 1L << 40,
                        Instant.parse("1970-01-01T00:00:00.000001Z"), Instant.parse("2024-01-01T10:00:01.5Z"),
                        List.of("age <= 40.0", "elevel in {0, 1}")),
                new Prediction("e-3", "A", probabilities, "v000002", 4L, Instant.parse("2024-01-01T10:00:02Z"),
                        Instant.parse("2024-01-01T10:00:03Z"), List.of()));
        Prediction.Writer writer = new Prediction.Writer();
        for (int round = 0; round < 2; round++) {
            for (Prediction prediction : predictions) {
                byte[] bytes = writer.write(prediction);
                assertThat(bytes).isEqualTo(prediction.toJsonBytes());
                assertThat(Prediction.parse(bytes)).isEqualTo(prediction);
            }
        }
    }

    /**
     * The writer copies what needs no escaping straight in and leaves the rest to Jackson: random predictions (text
     * from the whole of printable ASCII, control characters, non-ASCII, lone surrogates; doubles of every magnitude,
     * non-finite ones; long paths) come out byte for byte as Jackson's generator writes them.
     */
    @Test
    void theWritersBytesAreJacksonsForRandomPredictions() {
        java.util.Random random = new java.util.Random(20261204);
        Prediction.Writer writer = new Prediction.Writer();
        Instant scoredAt = Instant.parse("2026-12-04T10:00:00.250Z");
        int escaped = 0;
        for (int i = 0; i < 5_000; i++) {
            Map<String, Double> probabilities = new LinkedHashMap<>();
            int classes = 1 + random.nextInt(4);
            for (int c = 0; c < classes; c++) {
                probabilities.put(text(random, 1 + random.nextInt(6)), number(random));
            }
            List<String> path = random.nextInt(4) == 0
                    ? java.util.stream.IntStream.range(0, random.nextInt(40)).mapToObj(k -> text(random, 30)).toList()
                    : List.of();
            if (random.nextInt(10) == 0) {
                scoredAt = scoredAt.plusMillis(random.nextInt(1_000));
            }
            Prediction prediction = new Prediction(text(random, 1 + random.nextInt(40)), text(random, 2),
                    probabilities, text(random, 7), random.nextLong() >>> random.nextInt(64),
                    Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000)),
                    scoredAt, path);
            byte[] written = writer.write(prediction);
            assertThat(written).as("prediction %d", i).isEqualTo(prediction.toJsonBytes());
            escaped += new String(written, StandardCharsets.UTF_8).contains("\\") ? 1 : 0;
        }
        assertThat(escaped).as("predictions with text that needs escaping, of 5,000").isBetween(500, 4_500);
    }

    /** Mostly printable ASCII (quotes and backslashes included); now and then a control, non-ASCII or surrogate. */
    private static String text(java.util.Random random, int length) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(400);
            text.append(kind == 0 ? (char) random.nextInt(0x20) : kind == 1 ? '\u00e9' : kind == 2 ? '\ud83d'
                    : kind == 3 ? (char) 0x7F : (char) (0x20 + random.nextInt(0x5F)));
        }
        return text.toString();
    }

    private static double number(java.util.Random random) {
        return switch (random.nextInt(12)) {
            case 0 -> Double.NaN;
            case 1 -> 0.0;
            case 2 -> -0.0;
            case 3 -> Double.MIN_VALUE;
            case 4 -> random.nextDouble() * 1e300;
            case 5 -> 1.0 / (1 + random.nextInt(7));
            default -> random.nextDouble();
        };
    }

    /** Values not in the written shape go to the tree read: same prediction or same error as from the text. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "extra field|`{\"x\":[1,{}],\"event_id\":\"e\",\"predicted_class\":\"A\",\"probabilities\":{\"A\":1},\"model_version\":\"v1\",\"batch_id\":3,\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "numeric id and string batch|`{\"event_id\":17,\"predicted_class\":\"A\",\"probabilities\":{\"A\":\"0.5\"},\"model_version\":\"v1\",\"batch_id\":\"3\",\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "path not an array|`{\"event_id\":\"e\",\"predicted_class\":\"A\",\"probabilities\":{\"A\":1},\"model_version\":\"v1\",\"batch_id\":3,\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\",\"decision_path\":7}`",
            "null class|`{\"event_id\":\"e\",\"predicted_class\":null,\"probabilities\":{\"A\":1},\"model_version\":\"v1\",\"batch_id\":3,\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "bad time|`{\"event_id\":\"e\",\"predicted_class\":\"A\",\"probabilities\":{\"A\":1},\"model_version\":\"v1\",\"batch_id\":3,\"event_time\":\"soon\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "probabilities not an object|`{\"event_id\":\"e\",\"predicted_class\":\"A\",\"probabilities\":[1],\"model_version\":\"v1\",\"batch_id\":3,\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "duplicate field|`{\"event_id\":\"e\",\"event_id\":\"f\"}`",
            "missing batch|`{\"event_id\":\"e\",\"predicted_class\":\"A\",\"probabilities\":{\"A\":1},\"model_version\":\"v1\",\"event_time\":\"2024-01-01T10:00:00Z\",\"scored_at\":\"2024-01-01T10:00:00Z\"}`",
            "trailing tokens|`{\"event_id\":\"e\"} 1`",
            "truncated|`{\"event_id\":\"e\",`",
            "array|`[1]`",
    })
    void bytesOutsideTheWrittenShapeParseAsTheirText(String name, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        Object fromText;
        try {
            fromText = Prediction.parse(json);
        } catch (IllegalArgumentException e) {
            fromText = e.getMessage();
        }
        Object fromBytes;
        try {
            fromBytes = Prediction.parse(bytes);
        } catch (IllegalArgumentException e) {
            fromBytes = e.getMessage();
        }
        assertThat(fromBytes).isEqualTo(fromText);
        assertThat(fromText).as("the corpus mixes parseable values and errors")
                .isInstanceOf(name.startsWith("extra") || name.startsWith("numeric") || name.startsWith("path")
                        ? Prediction.class : String.class);
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
