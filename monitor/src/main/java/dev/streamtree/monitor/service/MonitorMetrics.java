package dev.streamtree.monitor.service;

import dev.streamtree.monitor.accuracy.AccuracySnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The monitor's Prometheus metrics: live accuracy per model version (over the window and since promotion), labelled
 * predictions joined, labels waiting for their prediction, invalid labels and drift detections. Fed by
 * {@link MonitorService} from its consumer thread.
 */
public final class MonitorMetrics {

    public static final String LIVE_ACCURACY = "streamtree_live_accuracy_ratio";
    public static final String LABELLED_PREDICTIONS = "streamtree_labelled_predictions";
    public static final String LABELS_WAITING = "streamtree_labels_waiting";
    public static final String INVALID_LABELS = "streamtree_invalid_labels";
    public static final String DRIFT_DETECTIONS = "streamtree_drift_detections";

    /** Label value of {@code scope} for the accuracy over the last N labelled predictions. */
    public static final String SCOPE_WINDOW = "window";
    /** Label value of {@code scope} for the accuracy since the version was promoted (or the monitor started). */
    public static final String SCOPE_SINCE_PROMOTION = "since_promotion";

    private final Gauge accuracy;
    private final Counter labelled;
    private final Gauge labelsWaiting;
    private final Counter invalidLabels;
    private final Counter driftDetections;

    public MonitorMetrics(PrometheusRegistry registry) {
        accuracy = Gauge.builder().name(LIVE_ACCURACY).labelNames("version", "scope")
                .help("Live accuracy of a model version's labelled predictions, over the last N (scope=window) or since "
                        + "promotion (scope=since_promotion)").register(registry);
        labelled = Counter.builder().name(LABELLED_PREDICTIONS).labelNames("version")
                .help("Predictions joined with their event's label, by model version").register(registry);
        labelsWaiting = Gauge.builder().name(LABELS_WAITING)
                .help("Labels held that no prediction has joined yet").register(registry);
        invalidLabels = Counter.builder().name(INVALID_LABELS)
                .help("Labels-topic records refused by validation").register(registry);
        driftDetections = Counter.builder().name(DRIFT_DETECTIONS).labelNames("version")
                .help("Drift detections published, by the model version whose error rate rose").register(registry);
        labelsWaiting.set(0);
        invalidLabels.inc(0);
    }

    /**
     * Serves {@code registry} on {@code http://0.0.0.0:port/metrics} until closed.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static HTTPServer serve(PrometheusRegistry registry, int port) {
        try {
            return HTTPServer.builder().port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    void joined(String version, long count) {
        labelled.labelValues(version).inc(count);
    }

    void labelsWaiting(long count) {
        labelsWaiting.set(count);
    }

    void invalidLabel() {
        invalidLabels.inc();
    }

    void driftDetected(String version) {
        driftDetections.labelValues(version).inc();
    }

    void accuracy(AccuracySnapshot snapshot) {
        String version = snapshot.version().toString();
        if (!Double.isNaN(snapshot.windowAccuracy())) {
            accuracy.labelValues(version, SCOPE_WINDOW).set(snapshot.windowAccuracy());
        }
        if (!Double.isNaN(snapshot.accuracySincePromotion())) {
            accuracy.labelValues(version, SCOPE_SINCE_PROMOTION).set(snapshot.accuracySincePromotion());
        }
    }
}
