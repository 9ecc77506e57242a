package dev.streamtree.launcher.demo;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How a demo run goes.
 *
 * @param workDir        where the lake, registry, checkpoints and report go (emptied first)
 * @param duration       how long events are generated
 * @param rate           events per second
 * @param seed           generator seed
 * @param function       Agrawal function before the drift
 * @param driftTo        Agrawal function after the drift, or 0 for none
 * @param driftAt        when the drift happens, as a fraction of the duration
 * @param retrainEvery   retrain timer period
 * @param window         retrain window, as the rows this much time produces at {@code rate} (the latest rows)
 * @param trigger        streaming micro-batch interval
 * @param badEvery       send one invalid record every this many events (0 = none), to show dead letters
 * @param statusEvery    dashboard line interval
 * @param brokerPort     embedded broker port (0 = any free port)
 * @param metricsPorts   where the streaming job and the retrain scheduler serve Prometheus metrics (0 = off)
 * @param labelDelay     labels withheld from the events and sent to the labels topic this much later; zero = inline
 */
public record DemoSettings(Path workDir, Duration duration, int rate, long seed, int function, int driftTo, double driftAt,
                           Duration retrainEvery, Duration window, Duration trigger, int badEvery, Duration statusEvery,
                           int brokerPort, MetricsPorts metricsPorts, Duration labelDelay) {

    /** The Prometheus ports of the demo's two jobs; 0 turns one off. */
    public record MetricsPorts(int streaming, int scheduler) {

        public static final MetricsPorts OFF = new MetricsPorts(0, 0);

        public MetricsPorts {
            for (int port : new int[] {streaming, scheduler}) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("metrics ports must be 0 (off) or 1..65535, got " + port);
                }
            }
            if (streaming != 0 && streaming == scheduler) {
                throw new IllegalArgumentException("the streaming job and the scheduler need two metrics ports, got "
                        + streaming + " twice");
            }
        }
    }

    /** Settings with labels inline in the events. */
    public DemoSettings(Path workDir, Duration duration, int rate, long seed, int function, int driftTo, double driftAt,
                        Duration retrainEvery, Duration window, Duration trigger, int badEvery, Duration statusEvery,
                        int brokerPort, MetricsPorts metricsPorts) {
        this(workDir, duration, rate, seed, function, driftTo, driftAt, retrainEvery, window, trigger, badEvery,
                statusEvery, brokerPort, metricsPorts, Duration.ZERO);
    }

    public DemoSettings {
        if (labelDelay == null || labelDelay.isNegative()) {
            throw new IllegalArgumentException("--label-delay must be zero or positive, got " + labelDelay);
        }
        if (duration.toSeconds() < 30) {
            throw new IllegalArgumentException("--duration must be at least 30s, got " + duration.toSeconds() + "s");
        }
        if (rate < 1 || rate > 50_000) {
            throw new IllegalArgumentException("--rate must be 1..50000 events/s, got " + rate);
        }
        if (driftAt <= 0 || driftAt >= 1) {
            throw new IllegalArgumentException("--drift-at must be a fraction in (0, 1), got " + driftAt);
        }
        if (badEvery < 0) {
            throw new IllegalArgumentException("--bad-every must be >= 0, got " + badEvery);
        }
        for (var d : new Duration[] {retrainEvery, window, trigger, statusEvery}) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("durations must be positive, got " + d);
            }
        }
    }

    /** Seconds after the start at which the drift happens, or -1. */
    public long driftSecond() {
        return driftTo == 0 ? -1 : Math.round(duration.toSeconds() * driftAt);
    }
}
