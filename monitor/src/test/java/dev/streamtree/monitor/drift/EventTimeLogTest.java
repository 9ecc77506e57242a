package dev.streamtree.monitor.drift;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.streamtree.monitor.drift.ErrorStreams.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventTimeLogTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void mapsADetectionsChangeIndexToThatItemsEventTime() {
        // labels arrive out of event-time order: item i has event time T0 + i s, give or take 3 s
        Random random = new Random(1);
        List<Instant> eventTimes = new ArrayList<>();
        EventTimeLog log = new EventTimeLog();
        for (int i = 0; i < 2000; i++) {
            Instant eventTime = T0.plusSeconds(i + random.nextInt(7) - 3).plusNanos(123_456_000);
            eventTimes.add(eventTime);
            log.append(i, eventTime);
        }
        DriftSignal drift = new DriftSignal(1999, 1234, 1234, 0.05, 0.4);
        ChangePoint changePoint = log.changePoint(drift);
        assertThat(changePoint.itemIndex()).isEqualTo(1234);
        assertThat(changePoint.eventTime()).as("event time of item 1234, to the microsecond").isEqualTo(eventTimes.get(1234));
        assertThat(changePoint.exact()).isTrue();
    }

    @Test
    void placesAnAdwinDetectionOfAStepNearTheStepsEventTime() {
        double[] errors = step(4, 1000, 0.05, 1000, 0.40);
        Adwin adwin = new Adwin();
        EventTimeLog log = new EventTimeLog();
        ChangePoint changePoint = null;
        for (int i = 0; i < errors.length && changePoint == null; i++) {
            log.append(adwin.itemsSeen(), T0.plus(Duration.ofMillis(200L * i)));
            if (adwin.add(errors[i])) {
                changePoint = log.changePoint(adwin.lastDrift().orElseThrow());
            }
            log.trimBefore(adwin.earliestChangeIndex());
        }
        assertThat(changePoint).as("the step is detected").isNotNull();
        Instant stepTime = T0.plus(Duration.ofMillis(200L * 1000));
        assertThat(Duration.between(stepTime, changePoint.eventTime()).abs())
                .as("change point %s vs the step at %s (100 items = 20 s)", changePoint.eventTime(), stepTime)
                .isLessThanOrEqualTo(Duration.ofSeconds(20));
        assertThat(changePoint.eventTime()).isEqualTo(T0.plus(Duration.ofMillis(200L * changePoint.itemIndex())));
        assertThat(log.size()).as("the log holds only the window ADWIN kept").isEqualTo((int) adwin.width());
    }

    @Test
    void answersAForgottenIndexWithTheOldestTimeItHoldsMarkedInexact() {
        EventTimeLog log = new EventTimeLog(100);
        for (int i = 0; i < 250; i++) {
            log.append(i, T0.plusSeconds(i));
        }
        assertThat(log.size()).isEqualTo(100);
        assertThat(log.eventTimeOf(10)).isEqualTo(new ChangePoint(150, T0.plusSeconds(150), false));
        assertThat(log.eventTimeOf(200)).isEqualTo(new ChangePoint(200, T0.plusSeconds(200), true));
        log.trimBefore(240);
        assertThat(log.size()).isEqualTo(10);
        assertThat(log.eventTimeOf(239)).isEqualTo(new ChangePoint(240, T0.plusSeconds(240), false));
        log.trimBefore(1000);
        assertThat(log.size()).isZero();
        assertThat(log.next()).isEqualTo(250);
    }

    @Test
    void refusesItemsOutOfSequenceAndIndexesNotYetLogged() {
        EventTimeLog log = new EventTimeLog();
        log.append(0, T0);
        assertThatThrownBy(() -> log.append(2, T0)).hasMessage("expected item index 1, got 2");
        assertThatThrownBy(() -> log.eventTimeOf(1)).hasMessage("item 1 has not been logged (next is 1)");
        assertThatThrownBy(() -> new EventTimeLog().eventTimeOf(0)).hasMessage("no event times held, cannot place item 0");
    }

    @Test
    void refusesASignalWhoseChangeLiesOutsideWhatWasSeen() {
        assertThatThrownBy(() -> new DriftSignal(10, 11, 5, 0.1, 0.4)).hasMessage("change index 11 must lie in 0..10");
        assertThatThrownBy(() -> new DriftSignal(10, 5, 0, 0.1, 0.4))
                .hasMessage("a change needs at least one item before it, got 0");
        assertThat(new DriftSignal(10, 5, 5, 0.1, 0.4).itemsAfter()).isEqualTo(6);
    }
}
