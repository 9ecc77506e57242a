package dev.streamtree.launcher.demo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link DemoReport} as one self-contained HTML page: an SVG chart of accuracy over time per model
 * version with the drift and each promotion marked, the retrain timeline, the run's counts, and the serving tree.
 * No scripts and no external resources, so it opens anywhere (and renders in headless Chromium).
 */
public final class ReportHtml {

    /** Series colours, one per model version in order of appearance. */
    static final List<String> PALETTE = List.of("#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2");
    static final String DRIFT_COLOUR = "#d62728";

    private static final int WIDTH = 960;
    private static final int HEIGHT = 380;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 20;
    private static final int BOTTOM = 50;

    private ReportHtml() {
    }

    public static String render(DemoReport report) {
        StringBuilder html = new StringBuilder(16_384);
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>streamtree demo report</title>\n")
                .append("<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}th{background:#f4f4f4}")
                .append("pre{background:#f8f8f8;padding:12px;overflow:auto;max-height:480px}.legend span{margin-right:16px}</style>\n")
                .append("</head><body>\n<h1>streamtree demo report</h1>\n")
                .append("<p>Started ").append(report.startedAt()).append(", ").append(report.durationSeconds())
                .append(" s of events; Agrawal function ").append(report.functionBefore());
        if (report.driftSecond() >= 0) {
            html.append(", drifting to function ").append(report.functionAfter()).append(" at ").append(report.driftSecond()).append(" s");
        }
        html.append(".</p>\n<h2>Accuracy of predictions against labels, by model version (the monitor's figures)</h2>\n");
        html.append(chart(report));
        html.append("<h2>Retrains</h2>\n<table id=\"retrains\"><tr><th>second</th><th>decision</th><th>version</th><th>detail</th></tr>\n");
        for (DemoReport.Retrain r : report.retrains()) {
            html.append("<tr><td>").append(r.second()).append("</td><td>").append(escape(r.status())).append("</td><td>")
                    .append(escape(r.version() == null ? "" : r.version())).append("</td><td>").append(escape(r.detail()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2>Drift detections (from the monitor)</h2>\n<table id=\"drifts\"><tr><th>second</th>"
                + "<th>version</th><th>detector</th><th>change point (s)</th><th>error before</th><th>error after</th></tr>\n");
        for (DemoReport.Drift d : report.drifts()) {
            html.append("<tr><td>").append(d.second()).append("</td><td>").append(escape(d.version())).append("</td><td>")
                    .append(escape(d.detector())).append("</td><td>").append(String.format(Locale.ROOT, "%.1f", d.changePointSecond()))
                    .append("</td><td>").append(percent(d.errorBefore())).append("</td><td>").append(percent(d.errorAfter()))
                    .append("</td></tr>\n");
        }
        html.append("</table>\n<h2>Counts</h2>\n<table id=\"counts\">\n");
        row(html, "events generated", report.eventsGenerated());
        row(html, "lake rows (through the catalog)", report.lakeRows());
        row(html, "distinct event ids in the lake", report.lakeDistinctIds());
        row(html, "events with a prediction", report.predictedEvents());
        row(html, "events after the first model without a prediction", report.missingAfterFirstModel());
        row(html, "repeated predictions (at-least-once)", report.duplicatePredictions());
        row(html, "bad records sent / dead letters", report.badRecordsSent() + " / " + report.deadLetters());
        row(html, "label delay", report.labelDelaySeconds() == 0 ? "none (labels in the events)" : report.labelDelaySeconds() + " s");
        row(html, "accuracy before the drift", percent(report.preDriftAccuracy()));
        row(html, "accuracy after recovery", percent(report.recoveredAccuracy()));
        html.append("</table>\n<h2>Serving tree (").append(escape(report.currentVersion() == null ? "none" : report.currentVersion())).append(")</h2>\n<pre id=\"tree\">")
                .append(escape(report.currentTree() == null ? "(no model)" : report.currentTree())).append("</pre>\n</body></html>\n");
        return html.toString();
    }

    static String chart(DemoReport report) {
        double xMax = Math.max(report.durationSeconds(), 1);
        double plotWidth = WIDTH - LEFT - RIGHT;
        double plotHeight = HEIGHT - TOP - BOTTOM;
        Map<String, List<AccuracyTimeline.Bucket>> byVersion = new LinkedHashMap<>();
        for (AccuracyTimeline.Bucket b : report.accuracy()) {
            byVersion.computeIfAbsent(b.version(), v -> new ArrayList<>()).add(b);
        }
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg id=\"accuracy-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"accuracy over time\">\n", WIDTH, HEIGHT, WIDTH, HEIGHT));
        svg.append("<rect x=\"0\" y=\"0\" width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        for (int pct = 0; pct <= 100; pct += 10) {
            double y = TOP + plotHeight * (1 - pct / 100.0);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%d%%</text>\n",
                    LEFT, y, WIDTH - RIGHT, y, LEFT - 6, y + 4, pct));
        }
        for (int s = 0; s <= xMax; s += tick(xMax)) {
            double x = LEFT + plotWidth * s / xMax;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\">%ds</text>\n",
                    x, HEIGHT - BOTTOM + 16, s));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">event time (seconds since start)</text>\n",
                LEFT + plotWidth / 2, HEIGHT - 8));
        if (report.driftSecond() >= 0) {
            double x = LEFT + plotWidth * report.driftSecond() / xMax;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\" "
                    + "stroke-dasharray=\"6 4\"/><text x=\"%.1f\" y=\"%d\" font-size=\"12\" fill=\"%s\">drift</text>\n",
                    x, TOP, x, TOP + plotHeight, DRIFT_COLOUR, x + 4, TOP + 12, DRIFT_COLOUR));
        }
        for (DemoReport.Retrain r : report.retrains()) {
            if (r.promoted()) {
                double x = LEFT + plotWidth * Math.min(r.second(), xMax) / xMax;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\" stroke-dasharray=\"2 3\"/>"
                        + "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#555\">%s</text>\n",
                        x, TOP, x, TOP + plotHeight, x + 3, TOP + plotHeight - 6, escape(r.version())));
            }
        }
        int colour = 0;
        StringBuilder legend = new StringBuilder("<p class=\"legend\">");
        for (var entry : byVersion.entrySet()) {
            String stroke = PALETTE.get(colour++ % PALETTE.size());
            StringBuilder points = new StringBuilder();
            for (AccuracyTimeline.Bucket b : entry.getValue()) {
                if (b.total() == 0) {
                    continue;
                }
                double x = LEFT + plotWidth * Math.min(b.startSecond(), xMax) / xMax;
                double y = TOP + plotHeight * (1 - b.accuracy());
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            svg.append("<polyline class=\"series\" data-version=\"").append(escape(entry.getKey())).append("\" fill=\"none\" stroke=\"")
                    .append(stroke).append("\" stroke-width=\"3\" points=\"").append(points.toString().trim()).append("\"/>\n");
            legend.append("<span style=\"color:").append(stroke).append("\">&#9632; ").append(escape(entry.getKey())).append("</span>");
        }
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>\n",
                LEFT, TOP, plotWidth, plotHeight));
        svg.append("</svg>\n");
        return svg + legend.append("<span style=\"color:").append(DRIFT_COLOUR).append("\">- - drift</span></p>\n").toString();
    }

    private static int tick(double xMax) {
        for (int step : new int[] {10, 20, 30, 60, 120, 300, 600}) {
            if (xMax / step <= 12) {
                return step;
            }
        }
        return 1200;
    }

    private static void row(StringBuilder html, String name, Object value) {
        html.append("<tr><th>").append(escape(name)).append("</th><td>").append(escape(String.valueOf(value))).append("</td></tr>\n");
    }

    static String percent(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", value * 100);
    }

    static String escape(String text) {
        if (text == null) {
            return "";
        }
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
