package dev.streamtree.monitor.service;

import dev.streamtree.monitor.accuracy.VersionAccuracy;
import dev.streamtree.monitor.drift.Adwin;
import dev.streamtree.monitor.drift.DriftDetector;
import dev.streamtree.monitor.drift.PageHinkley;
import dev.streamtree.monitor.join.LabelJoin;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * How a {@link MonitorService} runs. Build from {@link #defaults()} and the {@code with...} methods.
 *
 * @param metricsInterval    how often one model-metrics record per version is published
 * @param window             N, the recent-accuracy window (labelled predictions per version)
 * @param detector           the drift detector of each version's error stream
 * @param labelCapacity      most labels held by the join (see {@link LabelJoin})
 * @param predictionCapacity most unlabelled predictions held by the join
 * @param invalidLabels      what happens to a labels-topic record that fails {@code LabelRecord} validation
 * @param inlineLabels       whether labels carried inside events (the events topic) are joined too
 * @param groupId            the consumer group; its committed offsets are where a restarted monitor resumes
 */
public record MonitorOptions(Duration metricsInterval, int window, Detector detector, int labelCapacity,
                             int predictionCapacity, InvalidLabels invalidLabels, boolean inlineLabels, String groupId) {

    public static final Duration DEFAULT_METRICS_INTERVAL = Duration.ofSeconds(5);
    public static final String DEFAULT_GROUP_ID = "streamtree-monitor";

    public MonitorOptions {
        Objects.requireNonNull(metricsInterval, "metricsInterval");
        if (metricsInterval.isNegative() || metricsInterval.isZero()) {
            throw new IllegalArgumentException("metrics interval must be positive, got " + metricsInterval);
        }
        if (window < 1) {
            throw new IllegalArgumentException("accuracy window must hold at least 1 prediction, got " + window);
        }
        if (labelCapacity < 1 || predictionCapacity < 1) {
            throw new IllegalArgumentException("join capacities must be at least 1, got labels " + labelCapacity
                    + ", predictions " + predictionCapacity);
        }
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(invalidLabels, "invalidLabels");
        if (groupId == null || groupId.isBlank()) {
            throw new IllegalArgumentException("monitor consumer group id is empty");
        }
    }

    /**
     * 5 s, N = 1000, ADWIN, 300,000 labels and predictions held, invalid labels only counted (the streaming job's
     * labels query dead-letters them), inline labels on.
     */
    public static MonitorOptions defaults() {
        return new MonitorOptions(DEFAULT_METRICS_INTERVAL, VersionAccuracy.DEFAULT_WINDOW, Detector.ADWIN,
                LabelJoin.DEFAULT_CAPACITY, LabelJoin.DEFAULT_CAPACITY, InvalidLabels.COUNT, true, DEFAULT_GROUP_ID);
    }

    public MonitorOptions withMetricsInterval(Duration interval) {
        return new MonitorOptions(interval, window, detector, labelCapacity, predictionCapacity, invalidLabels,
                inlineLabels, groupId);
    }

    public MonitorOptions withWindow(int newWindow) {
        return new MonitorOptions(metricsInterval, newWindow, detector, labelCapacity, predictionCapacity, invalidLabels,
                inlineLabels, groupId);
    }

    public MonitorOptions withDetector(Detector newDetector) {
        return new MonitorOptions(metricsInterval, window, newDetector, labelCapacity, predictionCapacity, invalidLabels,
                inlineLabels, groupId);
    }

    public MonitorOptions withCapacities(int labels, int predictions) {
        return new MonitorOptions(metricsInterval, window, detector, labels, predictions, invalidLabels, inlineLabels,
                groupId);
    }

    public MonitorOptions withInvalidLabels(InvalidLabels handling) {
        return new MonitorOptions(metricsInterval, window, detector, labelCapacity, predictionCapacity, handling,
                inlineLabels, groupId);
    }

    /** Joins only labels-topic records, ignoring labels inside events. */
    public MonitorOptions withoutInlineLabels() {
        return new MonitorOptions(metricsInterval, window, detector, labelCapacity, predictionCapacity, invalidLabels,
                false, groupId);
    }

    public MonitorOptions withGroupId(String newGroupId) {
        return new MonitorOptions(metricsInterval, window, detector, labelCapacity, predictionCapacity, invalidLabels,
                inlineLabels, newGroupId);
    }

    /** The drift detector run over each version's 0/1 error stream. */
    public enum Detector {
        ADWIN(Adwin::new), PAGE_HINKLEY(PageHinkley::new);

        private final Supplier<DriftDetector> factory;

        Detector(Supplier<DriftDetector> factory) {
            this.factory = factory;
        }

        public Supplier<DriftDetector> factory() {
            return factory;
        }

        /** @throws IllegalArgumentException naming the text when it is neither {@code adwin} nor {@code page-hinkley} */
        public static Detector parse(String text) {
            for (Detector d : values()) {
                if (d.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(text)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a drift detector (adwin, page-hinkley)");
        }
    }

    /**
     * What the monitor does with an invalid labels-topic record. The streaming job's labels query validates and
     * dead-letters labels, so the default is {@link #COUNT}; {@link #DEAD_LETTER} is for a monitor run without it.
     */
    public enum InvalidLabels {
        /** send it to the dead-letter topic, original bytes and a reason, with the streaming job's headers */
        DEAD_LETTER,
        /** count and log it only */
        COUNT
    }
}
