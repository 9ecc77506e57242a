package dev.streamtree.monitor.drift;

import dev.streamtree.common.registry.VersionId;
import dev.streamtree.monitor.LiveAccuracy;
import dev.streamtree.monitor.accuracy.LabelledPrediction;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import static dev.streamtree.monitor.drift.ErrorStreams.step;

/**
 * Prints detection delays, change-point errors and false alarms of the detectors on seeded error streams:
 * the figures quoted in docs/monitor.md. Not a test (about 30 s of CPU); run with
 * {@code mvn -pl monitor -am test-compile} then
 * {@code java -cp common/target/classes:monitor/target/classes:monitor/target/test-classes
 * dev.streamtree.monitor.drift.DetectorMeasurements}.
 */
public final class DetectorMeasurements {

    private record Named(String name, Supplier<DriftDetector> detectors) {
    }

    private static final VersionId V1 = new VersionId(1);
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private static final List<Named> DETECTORS = List.of(
            new Named("adwin (delta 0.002, clock 32)", Adwin::new),
            new Named("adwin (delta 0.002, clock 1)", () -> new Adwin(AdwinConfig.defaults().withClock(1))),
            new Named("page-hinkley (delta 0.005, lambda 50)", PageHinkley::new));

    private DetectorMeasurements() {
    }

    public static void main(String[] args) {
        int seeds = 100;
        for (int before : new int[] {1000, 10_000}) {
            for (double[] rates : new double[][] {{0.05, 0.40}, {0.05, 0.15}, {0.10, 0.50}}) {
                System.out.printf("%nstep %.2f -> %.2f after %,d items, %d seeds%n", rates[0], rates[1], before, seeds);
                for (Named named : DETECTORS) {
                    steps(named, seeds, before, rates[0], rates[1]);
                }
            }
        }
        for (int length : new int[] {60_000, 100_000}) {
            for (double p : new double[] {0.05, 0.2, 0.5}) {
                System.out.printf("%nstationary Bernoulli(%.2f), %,d items, 20 seeds: false alarms per seed%n", p, length);
                for (Named named : DETECTORS) {
                    int[] alarms = new int[20];
                    int[] reported = new int[20];
                    for (int seed = 1; seed <= 20; seed++) {
                        DriftDetector detector = named.detectors().get();
                        LiveAccuracy live = new LiveAccuracy(named.detectors(), Clock.systemUTC());
                        for (double value : step(seed, length, p, 0, p)) {
                            alarms[seed - 1] += detector.add(value) ? 1 : 0;
                            String predicted = value == 1 ? "B" : "A";
                            reported[seed - 1] += live.record(new LabelledPrediction(V1, predicted, "A", T0)).isPresent() ? 1 : 0;
                        }
                    }
                    System.out.printf("  %-40s firings %3d (seeds with any %2d, max %d); reported by LiveAccuracy %3d"
                                    + " (max %d per seed; rises only, once per change)%n", named.name(),
                            Arrays.stream(alarms).sum(), Arrays.stream(alarms).filter(a -> a > 0).count(),
                            Arrays.stream(alarms).max().orElseThrow(), Arrays.stream(reported).sum(),
                            Arrays.stream(reported).max().orElseThrow());
                }
            }
        }
        double[] values = step(1, 10_000_000, 0.2, 0, 0.2);
        for (Named named : DETECTORS) {
            DriftDetector detector = named.detectors().get();
            long start = System.nanoTime();
            for (double value : values) {
                detector.add(value);
            }
            System.out.printf("%n%s: %.1f M items/s over 10M stationary items", named.name(),
                    values.length / ((System.nanoTime() - start) / 1e9) / 1e6);
        }
        System.out.println();
    }

    private static void steps(Named named, int seeds, int before, double p0, double p1) {
        int[] delays = new int[seeds];
        int[] offsets = new int[seeds];
        int early = 0;
        int missed = 0;
        int n = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            DriftDetector detector = named.detectors().get();
            double[] values = step(seed, before, p0, 5000, p1);
            int detected = -1;
            for (int i = 0; i < values.length; i++) {
                if (detector.add(values[i])) {
                    if (i < before) {
                        early++;
                        continue;
                    }
                    detected = i;
                    break;
                }
            }
            if (detected < 0) {
                missed++;
                continue;
            }
            delays[n] = detected - before;
            offsets[n] = (int) (detector.lastDrift().orElseThrow().changeIndex() - before);
            n++;
        }
        int[] d = Arrays.copyOf(delays, n);
        int[] o = Arrays.stream(Arrays.copyOf(offsets, n)).map(Math::abs).toArray();
        Arrays.sort(d);
        Arrays.sort(o);
        System.out.printf("  %-40s delay mean %6.1f median %4d p95 %4d max %4d | |change - step| median %3d p95 %3d max %4d"
                        + " | alarms before the step %d, missed %d%n",
                named.name(), Arrays.stream(d).average().orElse(Double.NaN), d.length == 0 ? -1 : d[n / 2],
                d.length == 0 ? -1 : d[(int) (n * 0.95)], d.length == 0 ? -1 : d[n - 1],
                o.length == 0 ? -1 : o[n / 2], o.length == 0 ? -1 : o[(int) (n * 0.95)], o.length == 0 ? -1 : o[n - 1],
                early, missed);
    }
}
