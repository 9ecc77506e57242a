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
    void keepsCountingPastItsFirstArrays() {
        PredictionLog log = new PredictionLog("g");
        int events = 40_000; // past the initial 16,384 events and records
        for (int n = 0; n < events; n++) {
            log.record("g-" + n, "v1", n / 1000, n, n + 7);
        }
        log.record("g-39999", "v1", 39, 39_999, 50_000); // a redelivery
        log.record("g-39999", "v2", 40, 39_999, 50_001); // a second scoring
        log.record("g-39999", "v2", 41, 39_999, 50_002); // and a third: still one event scored twice
        log.record("g-12", "v2", 40, 12, 50_003);

        assertThat(log.covered(events)).isEqualTo(events);
        assertThat(log.covered(events + 1)).isEqualTo(events);
        assertThat(log.scoredTwice()).isEqualTo(2);
        assertThat(log.redelivered()).isEqualTo(1);
        assertThat(log.latenciesSince(39_999)).containsExactly(7, 10_001, 10_002, 10_003);
        assertThat(log.latenciesSince(0)).hasSize(events + 4);
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
        assertThat(log.firstReceived(1)).hasValue(100);
        assertThat(log.firstReceived(2)).hasValue(900);
        assertThat(log.firstReceived(3)).isEmpty();
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
