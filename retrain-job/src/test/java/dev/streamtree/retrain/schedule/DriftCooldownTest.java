package dev.streamtree.retrain.schedule;

import dev.streamtree.common.control.ControlMessage.DriftDetected;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DriftCooldownTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    private static DriftDetected drift(String version, Instant detectedAt, Instant changePoint) {
        return new DriftDetected(DriftDetected.idFor(version, detectedAt), version, "adwin", detectedAt, changePoint, true,
                0.05, 0.45, 1000, 150);
    }

    @Test
    void firstDetectionIsRetrainedAndALaterOneWithinTheCooldownIsSuppressedAndCounted() {
        DriftCooldown cooldown = new DriftCooldown(Duration.ofMinutes(2));
        DriftCooldown.Decision first = cooldown.consider(drift("v000001", T0, T0.minusSeconds(5)), T0);
        assertThat(first.retrain()).as("first detection").isTrue();
        assertThat(first.reason()).contains("v000001", "adwin", "5.0% -> 45.0%", "change point " + T0.minusSeconds(5));

        DriftCooldown.Decision second = cooldown.consider(drift("v000001", T0.plusSeconds(3), T0.minusSeconds(1)), T0.plusSeconds(3));
        assertThat(second.retrain()).as("same drift seen again 3 s later").isFalse();
        assertThat(second.reason()).startsWith("within the cooldown of drift drift-v000001-").contains("cooldown 2m");
        DriftCooldown.Decision third = cooldown.consider(drift("v000002", T0.plusSeconds(100), T0.plusSeconds(60)),
                T0.plusSeconds(119));
        assertThat(third.retrain()).as("another version's detection just inside the cooldown").isFalse();
        assertThat(cooldown.suppressed()).isEqualTo(2);
    }

    @Test
    void afterTheCooldownANewChangeIsRetrainedButTheOldChangeSeenAgainIsNot() {
        DriftCooldown cooldown = new DriftCooldown(Duration.ofMinutes(2));
        assertThat(cooldown.consider(drift("v000001", T0, T0.minusSeconds(5)), T0).retrain()).isTrue();

        DriftCooldown.Decision replayed = cooldown.consider(drift("v000001", T0.plusSeconds(300), T0.minusSeconds(5)),
                T0.plusSeconds(300));
        assertThat(replayed.retrain()).as("the same change point after the cooldown").isFalse();
        assertThat(replayed.reason()).contains("is not after the change point", "already retrained");

        DriftCooldown.Decision next = cooldown.consider(drift("v000002", T0.plusSeconds(301), T0.plusSeconds(250)),
                T0.plusSeconds(301));
        assertThat(next.retrain()).as("a later change after the cooldown").isTrue();
        assertThat(cooldown.suppressed()).isEqualTo(1);
    }

    @Test
    void theCooldownEndsExactlyAtItsLength() {
        DriftCooldown cooldown = new DriftCooldown(Duration.ofSeconds(60));
        cooldown.consider(drift("v000001", T0, T0.minusSeconds(5)), T0);
        assertThat(cooldown.consider(drift("v000001", T0.plusSeconds(59), T0), T0.plusMillis(59_999)).retrain()).isFalse();
        assertThat(cooldown.consider(drift("v000001", T0.plusSeconds(60), T0), T0.plusSeconds(60)).retrain()).isTrue();
    }

    @Test
    void zeroCooldownStillSuppressesTheSameChangePoint() {
        DriftCooldown cooldown = new DriftCooldown(Duration.ZERO);
        assertThat(cooldown.consider(drift("v000001", T0, T0.minusSeconds(5)), T0).retrain()).isTrue();
        assertThat(cooldown.consider(drift("v000001", T0.plusSeconds(1), T0.minusSeconds(5)), T0.plusSeconds(1)).retrain()).isFalse();
        assertThat(cooldown.consider(drift("v000001", T0.plusSeconds(2), T0.minusSeconds(4)), T0.plusSeconds(2)).retrain()).isTrue();
    }

    @Test
    void negativeCooldownIsRefusedNamingTheValue() {
        assertThatThrownBy(() -> new DriftCooldown(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--drift-cooldown must not be negative");
    }
}
