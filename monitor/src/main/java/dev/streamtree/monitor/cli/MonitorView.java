package dev.streamtree.monitor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.json.Json;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code streamtree monitor} shows: the latest model-metrics record per version, drift detections per version
 * and the latest drift-detected record, and the latest retrain statuses, built from the model-metrics and control
 * topics' records in the order they were read. Plain Java; rendered as a text table or as one JSON document.
 */
public final class MonitorView {

    /** Retrain statuses shown. */
    static final int STATUSES = 5;

    private final Map<String, ModelMetrics> metrics = new TreeMap<>();
    private final Map<String, Integer> driftsByVersion = new TreeMap<>();
    private ControlMessage.DriftDetected latestDrift;
    private final Deque<ControlMessage.RetrainStatus> statuses = new ArrayDeque<>();

    public void metrics(ModelMetrics record) {
        ModelMetrics held = metrics.get(record.modelVersion());
        if (held == null || !record.at().isBefore(held.at())) {
            metrics.put(record.modelVersion(), record);
        }
    }

    public void control(ControlMessage message) {
        if (message instanceof ControlMessage.DriftDetected drift) {
            driftsByVersion.merge(drift.version(), 1, Integer::sum);
            if (latestDrift == null || !drift.detectedAt().isBefore(latestDrift.detectedAt())) {
                latestDrift = drift;
            }
        } else if (message instanceof ControlMessage.RetrainStatus status) {
            statuses.addLast(status);
            while (statuses.size() > STATUSES) {
                statuses.removeFirst();
            }
        }
    }

    /** The view as text: one line per version, then the latest drift and retrain statuses. */
    public String text(Instant now) {
        StringBuilder out = new StringBuilder();
        out.append("streamtree monitor at ").append(now).append('\n');
        if (metrics.isEmpty()) {
            out.append("no model-metrics records yet (is the monitor running, and are labels arriving?)\n");
        } else {
            out.append(String.format(Locale.ROOT, "%-9s %-20s %-26s %-28s %s%n", "version", "window accuracy",
                    "accuracy since promotion", "recall (window)", "drifts"));
            for (ModelMetrics m : metrics.values()) {
                StringBuilder recall = new StringBuilder();
                new TreeMap<>(m.recall()).forEach((cls, rate) -> recall.append(cls).append(' ').append(percent(rate)).append("  "));
                out.append(String.format(Locale.ROOT, "%-9s %-20s %-26s %-28s %d%n", m.modelVersion(),
                        percent(m.windowAccuracy()) + " of " + m.windowLabelled(),
                        percent(m.accuracy()) + " of " + m.labelled(), recall.toString().trim(),
                        Math.max(m.driftDetections(), driftsByVersion.getOrDefault(m.modelVersion(), 0))));
            }
        }
        if (latestDrift == null) {
            out.append("drift: none detected\n");
        } else {
            out.append(String.format(Locale.ROOT, "drift: %s at %s by %s, change point %s%s, error %s -> %s%n",
                    latestDrift.version(), latestDrift.detectedAt(), latestDrift.detector(), latestDrift.changePoint(),
                    latestDrift.changePointExact() ? "" : " (not exact)", percent(latestDrift.errorBefore()),
                    percent(latestDrift.errorAfter())));
        }
        if (statuses.isEmpty()) {
            out.append("retrains: none yet\n");
        } else {
            out.append("retrains (latest ").append(statuses.size()).append("):\n");
            for (ControlMessage.RetrainStatus s : statuses) {
                out.append(String.format(Locale.ROOT, "  %s %-8s %-8s %s %s%n", s.at(), s.status().wireName(),
                        s.version() == null ? "" : s.version(), s.requestId(),
                        s.detail().lines().findFirst().orElse("")));
            }
        }
        return out.toString();
    }

    /** The view as one JSON object: {@code versions} (model-metrics records), {@code latest_drift}, {@code retrains}. */
    public String json(Instant now) {
        ObjectNode root = Json.mapper().createObjectNode();
        root.put("at", now.toString());
        ArrayNode versions = root.putArray("versions");
        try {
            for (ModelMetrics m : metrics.values()) {
                ObjectNode node = (ObjectNode) Json.mapper().readTree(m.toJson());
                node.put("drift_detections", Math.max(m.driftDetections(), driftsByVersion.getOrDefault(m.modelVersion(), 0)));
                versions.add(node);
            }
            root.set("latest_drift", latestDrift == null ? null
                    : Json.mapper().readTree(dev.streamtree.common.control.ControlCodec.encode(latestDrift)));
            ArrayNode retrains = root.putArray("retrains");
            for (ControlMessage.RetrainStatus s : statuses) {
                retrains.add(Json.mapper().readTree(dev.streamtree.common.control.ControlCodec.encode(s)));
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return root.toString();
    }

    static String percent(double rate) {
        return Double.isNaN(rate) ? "-" : String.format(Locale.ROOT, "%.1f%%", rate * 100);
    }
}
