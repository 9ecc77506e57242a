package dev.streamtree.bench.report;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MachineTest {

    @Test
    void parsesProcLoadavg() {
        assertThat(Machine.parseLoadAverage("9.39 12.62 10.52 3/512 12345\n")).containsExactly(9.39, 12.62, 10.52);
    }

    @Test
    void loadedWhenLoadExceedsCores() {
        assertThat(Machine.loaded(10.5, 2)).isTrue();
        assertThat(Machine.loaded(1.5, 2)).isFalse();
    }
}
