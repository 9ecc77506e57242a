package dev.streamtree.common.event;

import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventValidatorTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    private static final EventValidator VALIDATOR = new EventValidator(SCHEMA,
            new ValidationOptions(4096, Duration.ofHours(1), ValidationOptions.DEFAULT_EARLIEST), CLOCK);

    private static final String GOOD = """
            {"id":"e1","event_time":"2026-11-25T09:59:00Z","salary":50000.5,"commission":12000,"age":33,"elevel":2,\
            "car":"7","zipcode":3,"hvalue":250000,"hyears":12,"loan":150000,"label":"A","note":"extra fields are ignored"}""";

    /** The start of a record whose id and event time are good, for the cases that vary a feature. */
    private static final String GOOD_PREFIX = "{\"id\":\"e1\",\"event_time\":\"2026-11-25T09:59:00Z\",";

    @Test
    void acceptsAWellFormedEventAndCanonicalisesCategories() {
        ValidationResult result = VALIDATOR.validate("e1", GOOD);
        assertThat(result).isInstanceOf(ValidationResult.Valid.class);
        ValidatedEvent event = ((ValidationResult.Valid) result).event();
        assertThat(event.id()).isEqualTo("e1");
        assertThat(event.eventTime()).isEqualTo(Instant.parse("2026-11-25T09:59:00Z"));
        assertThat(event.features()).containsExactly(50000.5, 12000.0, 33.0, "2", "7", "3", 250000.0, 12.0, 150000.0);
        assertThat(event.label()).isEqualTo("A");
    }

    @Test
    void aValidatorShippedToATaskValidatesAsTheOriginal() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(VALIDATOR);
        }
        EventValidator shipped;
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            shipped = (EventValidator) in.readObject();
        }
        for (String json : List.of(GOOD, GOOD.replace("\"id\":\"e1\",", ""), "{\"id\":\"e1\",\"id\":\"e1\"}")) {
            byte[] value = json.getBytes(StandardCharsets.UTF_8);
            assertThat(shipped.validate(null, value)).isEqualTo(VALIDATOR.validate(null, value));
        }
        assertThat(shipped.validate(null, GOOD.getBytes(StandardCharsets.UTF_8)).isValid()).isTrue();
    }

    @Test
    void acceptsEpochMillisAndAMissingLabel() {
        String json = GOOD.replace("\"2026-11-25T09:59:00Z\"", "1764064740000").replace(",\"label\":\"A\"", "");
        ValidationResult result = VALIDATOR.validate(null, json);
        assertThat(result.isValid()).isTrue();
        assertThat(((ValidationResult.Valid) result).event().label()).isNull();
        assertThat(((ValidationResult.Valid) result).event().eventTime()).isEqualTo(Instant.ofEpochMilli(1764064740000L));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "truncated JSON|{\"id\":\"e1\",\"event_time\"|malformed JSON|JSON",
            "not an object|[1,2,3]|must be a JSON object, got array|JSON",
            "NaN literal|" + "{\"id\":\"e1\",\"salary\":NaN}|malformed JSON|JSON",
            "duplicate key|{\"id\":\"e1\",\"id\":\"e2\"}|malformed JSON: Duplicate field 'id'|JSON",
            "missing id|{\"event_time\":\"2026-11-25T09:59:00Z\"}|missing required field 'id'|ID",
            "numeric id|{\"id\":17}|field 'id' must be a string, got number 17|ID",
            "bad time|{\"id\":\"e1\",\"event_time\":\"yesterday\"}|field 'event_time' is not an ISO-8601 instant: 'yesterday'|EVENT_TIME",
            "future time|{\"id\":\"e1\",\"event_time\":\"2027-01-01T00:00:00Z\"}|is more than PT1H in the future|EVENT_TIME",
            "ancient time|{\"id\":\"e1\",\"event_time\":\"1999-12-31T23:59:59Z\"}|is before the earliest accepted 2000-01-01T00:00:00Z|EVENT_TIME",
    })
    void refusesStructuralProblemsWithTheirReason(String name, String json, String reason, ValidationResult.Kind kind) {
        ValidationResult result = VALIDATOR.validate(null, json);
        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(((ValidationResult.Invalid) result).reason()).contains(reason);
        assertThat(((ValidationResult.Invalid) result).kind()).as("kind, the metrics label").isEqualTo(kind);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing feature|\"salary\":50000.5,|missing required field 'salary'|FEATURE",
            "number as string|\"salary\":50000.5|field 'salary' must be a number, got string \"50000\"|FEATURE",
            "out of range|\"age\":33|field 'age' value 130 is outside [20.0, 80.0]|FEATURE",
            "unknown category|\"car\":\"7\"|field 'car' has unknown category '99'|FEATURE",
            "category as object|\"zipcode\":3|field 'zipcode' must be a string or integer category, got object|FEATURE",
            "unknown class|\"label\":\"A\"|field 'label' has unknown class 'C'; allowed: [A, B]|LABEL",
    })
    void refusesBadFieldsNamingTheField(String name, String original, String reason, ValidationResult.Kind kind) {
        String replacement = switch (name) {
            case "missing feature" -> "";
            case "number as string" -> "\"salary\":\"50000\"";
            case "out of range" -> "\"age\":130";
            case "unknown category" -> "\"car\":\"99\"";
            case "category as object" -> "\"zipcode\":{\"x\":1}";
            default -> "\"label\":\"C\"";
        };
        String json = GOOD.replace(original, replacement);
        assertThat(json).isNotEqualTo(GOOD);
        ValidationResult result = VALIDATOR.validate(null, json);
        assertThat(result).isInstanceOf(ValidationResult.Invalid.class);
        assertThat(((ValidationResult.Invalid) result).reason()).contains(reason);
        assertThat(((ValidationResult.Invalid) result).kind()).as("kind, the metrics label").isEqualTo(kind);
    }

    @Test
    void refusesOversizedInvalidUtf8AndMismatchedKeys() {
        byte[] big = ("{\"id\":\"e1\",\"pad\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat(VALIDATOR.validate(null, big))
                .isEqualTo(new ValidationResult.Invalid("record is " + big.length + " bytes; the limit is 4096",
                        ValidationResult.Kind.TOO_LARGE));

        byte[] latin1 = GOOD.replace("extra fields", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(VALIDATOR.validate(null, latin1)).isEqualTo(new ValidationResult.Invalid("record is not valid UTF-8",
                ValidationResult.Kind.ENCODING));

        ValidationResult mismatch = VALIDATOR.validate("e2".getBytes(StandardCharsets.UTF_8), GOOD.getBytes(StandardCharsets.UTF_8));
        assertThat(((ValidationResult.Invalid) mismatch).reason()).isEqualTo("Kafka key 'e2' does not match event id 'e1'");
        assertThat(((ValidationResult.Invalid) mismatch).kind()).isEqualTo(ValidationResult.Kind.ID);

        assertThat(VALIDATOR.validate(null, (byte[]) null)).isEqualTo(new ValidationResult.Invalid("record has no value (tombstone)",
                ValidationResult.Kind.TOMBSTONE));
    }

    @Test
    void refusesDeepNestingWithoutBlowingTheStack() {
        String deep = "{\"id\":\"e1\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
        ValidationResult result = new EventValidator(SCHEMA).validate(null, deep);
        assertThat(((ValidationResult.Invalid) result).reason()).startsWith("malformed JSON").contains("nesting depth");
    }

    /**
     * Kafka records are validated from their bytes, read field by field; every outcome, accepted event or reason,
     * must be the one the tree read of the same text gives.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "good|`" + GOOD + "`",
            "epoch millis, no label|`" + GOOD + "`",
            "good, fields in another order|`{\"note\":\"x\",\"label\":\"A\",\"loan\":150000,\"hyears\":12,\"hvalue\":250000,"
                    + "\"zipcode\":3,\"car\":\"7\",\"elevel\":2,\"age\":33,\"commission\":12000,\"salary\":50000.5,"
                    + "\"event_time\":\"2026-11-25T09:59:00Z\",\"id\":\"e1\"}`",
            "non-ASCII unknown field|`" + GOOD + "`",
            "unknown nested fields|`{\"x\":{\"a\":[1,{\"b\":null}]},\"id\":\"e1\",\"event_time\":\"2026-11-25T09:59:00Z\"}`",
            "truncated|`{\"id\":\"e1\",\"event_time\"`",
            "array root|`[1,2,3]`",
            "string root|`\"e1\"`",
            "null root|`null`",
            "empty|``",
            "whitespace|`   `",
            "trailing tokens|`{\"id\":\"e1\"} {}`",
            "duplicate named key|`{\"id\":\"e1\",\"id\":\"e2\"}`",
            "duplicate unknown key|`{\"id\":\"e1\",\"x\":1,\"x\":2}`",
            "duplicate nested key|`{\"id\":\"e1\",\"x\":{\"a\":1,\"a\":2}}`",
            "duplicate key in a nested array|`{\"id\":\"e1\",\"x\":[{\"a\":1,\"a\":1}]}`",
            "duplicate named key out of order|`{\"event_time\":\"2026-11-25T09:59:00Z\",\"id\":\"e1\",\"event_time\":1}`",
            "duplicate named key after null|`" + GOOD_PREFIX + "\"label\":null,\"label\":\"A\"}`",
            "duplicate unknown key apart|`{\"x\":1,\"id\":\"e1\",\"x\":1}`",
            "NaN|`{\"id\":\"e1\",\"salary\":NaN}`",
            "comment|`{\"id\":\"e1\" /* c */}`",
            "id as object|`{\"id\":{\"v\":1}}`",
            "id as number|`{\"id\":17}`",
            "id as null|`{\"id\":null,\"event_time\":\"2026-11-25T09:59:00Z\"}`",
            "id with control|`{\"id\":\"e\\u0001\"}`",
            "time as float|`{\"id\":\"e1\",\"event_time\":1.5}`",
            "time as huge integer|`{\"id\":\"e1\",\"event_time\":123456789012345678901234567890}`",
            "time as boolean|`{\"id\":\"e1\",\"event_time\":true}`",
            "feature as array|`" + GOOD_PREFIX + "\"salary\":[1]}`",
            "feature as boolean|`" + GOOD_PREFIX + "\"salary\":false}`",
            "feature as huge float|`" + GOOD_PREFIX + "\"salary\":1e400}`",
            "feature as big integer|`" + GOOD_PREFIX + "\"salary\":123456789012345678901234567890}`",
            "feature out of range|`" + GOOD_PREFIX + "\"salary\":-0.25}`",
            "category as float|`" + GOOD_PREFIX + "\"salary\":1,\"commission\":0,\"age\":20,\"elevel\":1.0}`",
            "label as number|`" + GOOD_PREFIX + "\"salary\":1,\"commission\":0,\"age\":20,\"elevel\":\"0\",\"car\":1,\"zipcode\":\"0\",\"hvalue\":1,\"hyears\":1,\"loan\":0,\"label\":1}`",
            "label as null|`" + GOOD_PREFIX + "\"salary\":1,\"commission\":0,\"age\":20,\"elevel\":\"0\",\"car\":1,\"zipcode\":\"0\",\"hvalue\":1,\"hyears\":1,\"loan\":0,\"label\":null}`",
    })
    void readingTheBytesGivesTheTreeReadsOutcome(String name, String json) {
        String text = switch (name) {
            case "non-ASCII unknown field" -> json.replace("extra fields", "caf\u00e9 \u20ac");
            case "epoch millis, no label" -> json.replace("\"2026-11-25T09:59:00Z\"", "1764064740000")
                    .replace(",\"label\":\"A\"", "");
            default -> json;
        };
        ValidationResult fromBytes = VALIDATOR.validate(null, text.getBytes(StandardCharsets.UTF_8));
        assertThat(fromBytes).isEqualTo(VALIDATOR.validate(null, text));
        ValidationResult keyed = VALIDATOR.validate("e1".getBytes(StandardCharsets.UTF_8), text.getBytes(StandardCharsets.UTF_8));
        assertThat(keyed).isEqualTo(VALIDATOR.validate("e1", text));
        if (name.startsWith("good") || name.startsWith("epoch") || name.startsWith("non-ASCII")) {
            assertThat(fromBytes.isValid()).as("the corpus' valid records stay valid").isTrue();
        } else {
            assertThat(fromBytes.isValid()).as("the corpus' broken records stay refused").isFalse();
        }
    }
}
