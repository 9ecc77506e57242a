package dev.streamtree.streaming.reliability;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.streaming.reliability.BadInputCorpus.Entry;
import dev.streamtree.streaming.reliability.BadInputCorpus.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every record of the bad-input corpus gets its defined outcome from the one {@link EventValidator}. */
class BadInputCorpusTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final EventValidator VALIDATOR = new EventValidator(SCHEMA);

    static List<Entry> corpus() {
        return BadInputCorpus.load();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachRecordGetsItsDefinedOutcome(Entry entry) {
        ValidationResult result = VALIDATOR.validate(entry.key(), entry.value());
        if (entry.outcome() == Outcome.DEAD_LETTER) {
            assertThat(result).as(entry.name()).isInstanceOf(ValidationResult.Invalid.class);
            String reason = ((ValidationResult.Invalid) result).reason();
            assertThat(reason).as(entry.name()).contains(entry.reason());
            assertThat(reason).as("reasons are one short line").doesNotContain("\n").hasSizeLessThan(300);
        } else {
            assertThat(result).as(entry.name() + " -> " + result).isInstanceOf(ValidationResult.Valid.class);
            assertThat(((ValidationResult.Valid) result).event().id()).isEqualTo(entry.id());
        }
    }

    @Test
    void corpusCoversTheIssuesList() {
        List<Entry> corpus = corpus();
        assertThat(corpus).extracting(Entry::name).contains("truncated-json", "invalid-utf8", "deep-nesting",
                "ten-megabytes", "nan-literal", "infinity-literal", "number-as-string", "missing-id", "duplicate-id-first",
                "duplicate-id-second", "far-future-time", "far-past-time", "unknown-category", "extra-fields");
        Entry huge = corpus.stream().filter(e -> e.name().equals("ten-megabytes")).findFirst().orElseThrow();
        assertThat(huge.value()).hasSize(10 * 1024 * 1024);
        assertThat(corpus).filteredOn(e -> e.outcome() == Outcome.DEAD_LETTER).allSatisfy(e -> assertThat(e.reason()).isNotBlank());
    }
}
