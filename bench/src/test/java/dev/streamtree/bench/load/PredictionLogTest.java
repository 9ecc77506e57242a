package dev.streamtree.bench.load;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PredictionLogTest {

    @Test
    void countsCoverageDuplicatesAndRedeliveries() {
        PredictionLog log = new PredictionLog("swap");
        log.record("swap-0", "v000001", 1, 1000, 1300);
        log.record("swap-1", "v000001", 1, 1000, 1300);
        log.record("swap-1", "v000001", 1, 1000, 1400); // redelivery of the same batch: removed by de-duplication
        log.record("swap-3", "v000002", 2, 2000, 2500);
        log.record("swap-3", "v000001", 3, 2000, 2600); // scored again in another batch: a duplicate
        log.record("other-9", "v000001", 3, 2000, 2600); // not this run's event

        assertThat(log.records()).isEqualTo(6);
        assertThat(log.covered(4)).as("swap-2 is missing").isEqualTo(3);
        assertThat(log.covered(2)).isEqualTo(2);
        assertThat(log.scoredTwice()).isEqualTo(1);
        assertThat(log.redelivered()).isEqualTo(1);
    }

    @Test
    void tracksWhenTheVersionChanged() {
        PredictionLog log = new PredictionLog("s");
        log.record("s-0", "v000001", 1, 0, 100);
        log.record("s-1", "v000001", 1, 0, 150);
        assertThat(log.version()).isEqualTo("v000001");
        assertThat(log.versionSince()).isEqualTo(100);
        log.record("s-2", "v000002", 2, 0, 900);
        log.record("s-3", "v000002", 2, 0, 950);
        assertThat(log.version()).isEqualTo("v000002");
        assertThat(log.versionSince()).isEqualTo(900);
    }

    @Test
    void latenciesFromAGivenSendTime() {
        PredictionLog log = new PredictionLog("l");
        log.record("l-0", "v1", 0, 1000, 1250);
        log.record("l-1", "v1", 0, 2000, 2100);
        log.record("l-2", "v1", 1, 3000, 3900);
        assertThat(log.latenciesSince(2000)).containsExactly(100, 900);
        assertThat(log.latenciesSince(0)).hasSize(3);
    }
}
