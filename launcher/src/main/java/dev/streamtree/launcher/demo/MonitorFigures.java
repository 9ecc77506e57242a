package dev.streamtree.launcher.demo;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.monitor.service.MonitorService;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The demo's accuracy and drift figures, from the monitor's records (its model-metrics rounds and drift detections),
 * not from a join of the demo's own. Each round's counts since promotion, minus the previous round's, are the
 * predictions labelled in between; they go to the bucket of the round's time (seconds since the origin), so a bucket's
 * accuracy is that of the predictions whose labels arrived in it. Thread-safe.
 */
public final class MonitorFigures implements MonitorService.Listener {

    private final Supplier<Instant> origin;
    private final Duration bucketWidth;
    private final Consumer<DemoReport.Drift> onDrift;
    private final Map<String, long[]> lastCounts = new HashMap<>();
    private final Map<Long, Map<String, long[]>> buckets = new TreeMap<>();
    private final Map<String, ModelMetrics> latest = new HashMap<>();
    private final List<DemoReport.Drift> drifts = new ArrayList<>();

    /**
     * @param origin  the generator's start; the monitor starts before it is known, and publishes nothing labelled
     *                before it
     * @param onDrift told of each detection as it happens (on the monitor's thread)
     */
    public MonitorFigures(Supplier<Instant> origin, Duration bucketWidth, Consumer<DemoReport.Drift> onDrift) {
        this.origin = origin;
        this.bucketWidth = bucketWidth;
        this.onDrift = onDrift;
    }

    @Override
    public synchronized void metricsPublished(List<ModelMetrics> records) {
        for (ModelMetrics m : records) {
            latest.put(m.modelVersion(), m);
            long[] last = lastCounts.getOrDefault(m.modelVersion(), new long[2]);
            long labelled = m.labelled() - last[0];
            long correct = m.correct() - last[1];
            lastCounts.put(m.modelVersion(), new long[] {m.labelled(), m.correct()});
            if (labelled <= 0) {
                continue;
            }
            long second = Math.max(0, Duration.between(origin.get(), m.at()).toSeconds());
            long bucket = second / bucketWidth.toSeconds() * bucketWidth.toSeconds();
            long[] counts = buckets.computeIfAbsent(bucket, b -> new TreeMap<>()).computeIfAbsent(m.modelVersion(), v -> new long[2]);
            counts[0] += labelled;
            counts[1] += correct;
        }
    }

    @Override
    public void driftDetected(ControlMessage.DriftDetected d) {
        Instant start = origin.get();
        DemoReport.Drift drift = new DemoReport.Drift(Duration.between(start, d.detectedAt()).toSeconds(), d.version(),
                d.detector(), Duration.between(start, d.changePoint()).toMillis() / 1000.0, d.errorBefore(), d.errorAfter());
        synchronized (this) {
            drifts.add(drift);
        }
        onDrift.accept(drift);
    }

    /** Accuracy per bucket and version, oldest first. */
    public synchronized List<AccuracyTimeline.Bucket> buckets() {
        List<AccuracyTimeline.Bucket> out = new ArrayList<>();
        buckets.forEach((start, byVersion) -> byVersion.forEach((v, c) -> out.add(new AccuracyTimeline.Bucket(start, v, c[0], c[1]))));
        return out;
    }

    /** Accuracy of the predictions labelled in [from, to) seconds since the origin, all versions together. */
    public synchronized double accuracyBetween(long fromSecond, long toSecond) {
        long total = 0;
        long correct = 0;
        for (var entry : buckets.entrySet()) {
            if (entry.getKey() >= fromSecond && entry.getKey() + bucketWidth.toSeconds() <= toSecond) {
                for (long[] c : entry.getValue().values()) {
                    total += c[0];
                    correct += c[1];
                }
            }
        }
        return total == 0 ? Double.NaN : correct / (double) total;
    }

    /** The monitor's latest accuracy over its window for {@code version}, NaN when it has none. */
    public synchronized double windowAccuracy(String version) {
        ModelMetrics m = version == null ? null : latest.get(version);
        return m == null ? Double.NaN : m.windowAccuracy();
    }

    /** Labelled predictions the monitor has counted, all versions. */
    public synchronized long labelled() {
        return latest.values().stream().mapToLong(ModelMetrics::labelled).sum();
    }

    public synchronized List<DemoReport.Drift> drifts() {
        return List.copyOf(drifts);
    }
}
