package dev.streamtree.ingest.generate;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AgrawalGeneratorTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    private static List<String> generate(long seed, DriftPlan plan, int n) {
        AgrawalGenerator generator = new AgrawalGenerator(seed, plan, 0.05, "t", CLOCK);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new String(generator.next().json()));
        }
        return out;
    }

    @Test
    void sameSeedGivesTheSameStreamAndAnotherSeedDoesNot() {
        assertThat(generate(7, DriftPlan.none(2), 200)).isEqualTo(generate(7, DriftPlan.none(2), 200));
        assertThat(generate(8, DriftPlan.none(2), 200)).isNotEqualTo(generate(7, DriftPlan.none(2), 200));
    }

    @Test
    void everyGeneratedRecordPassesTheAgrawalSchema() {
        EventValidator validator = new EventValidator(SchemaCodec.load("builtin:agrawal"));
        AgrawalGenerator generator = new AgrawalGenerator(1, DriftPlan.none(10), 0.05, "t", Clock.systemUTC());
        for (int i = 0; i < 5_000; i++) {
            ValidationResult result = validator.validate(null, generator.next().json());
            assertThat(result.isValid()).as("record %d: %s", i, result).isTrue();
        }
    }

    @Test
    void driftSwitchesTheLabellingFunctionAtTheGivenRecord() {
        AgrawalGenerator generator = new AgrawalGenerator(3, new DriftPlan(1, 3, 1000, null), 0.0, "t", CLOCK);
        int before = 0;
        int after = 0;
        for (int i = 0; i < 2000; i++) {
            AgrawalGenerator.Event event = generator.next();
            if (i < 1000) {
                before += event.function() == 1 ? 1 : 0;
            } else {
                after += event.function() == 3 ? 1 : 0;
            }
        }
        assertThat(before).isEqualTo(1000);
        assertThat(after).isEqualTo(1000);
    }

    @Test
    void aTimedDriftCountsFromTheGivenStartNotFromTheFirstEvent() {
        DriftPlan plan = new DriftPlan(1, 3, -1, Duration.ofSeconds(120));
        Instant start = CLOCK.instant().minusSeconds(120);
        assertThat(new AgrawalGenerator(3, plan, 0.0, "t", CLOCK).timedFrom(start).next().function()).isEqualTo(3);
        assertThat(new AgrawalGenerator(3, plan, 0.0, "t", CLOCK).timedFrom(start.plusMillis(1)).next().function()).isEqualTo(1);
        assertThat(new AgrawalGenerator(3, plan, 0.0, "t", CLOCK).next().function()).isEqualTo(1);
        AgrawalGenerator started = new AgrawalGenerator(3, plan, 0.0, "t", CLOCK);
        started.next();
        assertThatThrownBy(() -> started.timedFrom(start)).hasMessageContaining("already produced 1 events");
    }

    @Test
    void aHeldDriftComesAtTheFirstEventAfterItsPlannedPointThatFindsItReady() {
        DriftPlan plan = new DriftPlan(1, 3, 2, null);
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        AgrawalGenerator generator = new AgrawalGenerator(3, plan, 0.0, "t", CLOCK).holdDriftUntil(ready::get);
        assertThat(generator.next().function()).isEqualTo(1);
        assertThat(generator.next().function()).isEqualTo(1);
        assertThat(generator.next().function()).as("held past record 2: not ready").isEqualTo(1);
        assertThat(generator.driftedAt()).isNull();
        ready.set(true);
        AgrawalGenerator.Event first = generator.next();
        assertThat(first.function()).isEqualTo(3);
        assertThat(generator.driftedAt()).isEqualTo(first.eventTime());
        ready.set(false);
        assertThat(generator.next().function()).as("once drifted, it stays drifted").isEqualTo(3);
    }

    @Test
    void functionOneLabelsByAgeOnly() {
        assertThat(AgrawalFunction.groupA(1, 60_000, 0, 39, 2, 1e5, 5, 1e5)).isTrue();
        assertThat(AgrawalFunction.groupA(1, 60_000, 0, 45, 2, 1e5, 5, 1e5)).isFalse();
        assertThat(AgrawalFunction.groupA(7, 150_000, 0, 45, 2, 1e5, 5, 0)).isTrue();
        assertThat(AgrawalFunction.groupA(7, 20_000, 0, 45, 2, 1e5, 5, 400_000)).isFalse();
    }

    @Test
    void refusesImpossiblePlans() {
        assertThatThrownBy(() -> new DriftPlan(11, 0, -1, null)).hasMessage("Agrawal function must be 1..10, got 11");
        assertThatThrownBy(() -> new DriftPlan(1, 2, -1, null))
                .hasMessage("a drift to function 2 needs a record count or a time to happen at");
        assertThat(new DriftPlan(1, 2, -1, Duration.ofSeconds(5)).functionAt(0, Duration.ofSeconds(6))).isEqualTo(2);
    }
}
