package dev.streamtree.bench.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpreadTest {

    @Test
    void oddCountTakesTheMiddleValueWhateverTheOrder() {
        Spread s = Spread.of(List.of(60_900.0, 44_500.0, 52_000.0));
        assertThat(s.median()).as("median").isEqualTo(52_000.0);
        assertThat(s.min()).as("min").isEqualTo(44_500.0);
        assertThat(s.max()).as("max").isEqualTo(60_900.0);
        assertThat(s.count()).isEqualTo(3);
        assertThat(s.range()).isEqualTo("44,500-60,900");
    }

    @Test
    void evenCountAveragesTheTwoMiddleValues() {
        Spread s = Spread.of(List.of(0.9, 0.7, 1.1, 0.8));
        assertThat(s.median()).isCloseTo(0.85, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(s.range()).isEqualTo("0.700-1.100");
    }

    @Test
    void oneValueIsItsOwnMedianAndRange() {
        Spread s = Spread.of(List.of(0.73));
        assertThat(s.median()).isEqualTo(0.73);
        assertThat(s.range()).isEqualTo("0.730");
    }

    @Test
    void refusesNoValuesAndValuesThatAreNotFinite() {
        assertThatThrownBy(() -> Spread.of(List.of())).hasMessageContaining("no values");
        assertThatThrownBy(() -> Spread.of(List.of(1.0, Double.NaN))).hasMessageContaining("not a finite value");
    }
}
