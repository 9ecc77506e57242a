package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.monitor.service.MonitorMetrics;
import dev.streamtree.retrain.metrics.RetrainMetrics;
import dev.streamtree.streaming.metrics.StreamingMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Checks deploy/grafana/streamtree.json against the metrics the code registers: the names come from the jobs' metrics
 * classes registered on a fresh registry, so a renamed metric fails here instead of leaving an empty panel.
 */
class DashboardMetricsTest {

    private static final Pattern METRIC = Pattern.compile("\\bstreamtree_[a-z0-9_]+");

    private final JsonNode dashboard = RepoFiles.yamlDocuments(RepoFiles.path("deploy/grafana/streamtree.json")).get(0);

    /** The sample names a scrape of the jobs' metrics can show, by the type of each registered metric. */
    static Set<String> exposedNames() {
        PrometheusRegistry registry = new PrometheusRegistry();
        new StreamingMetrics(registry);
        new RetrainMetrics(registry);
        new MonitorMetrics(registry);
        Set<String> names = new TreeSet<>();
        for (MetricSnapshot snapshot : registry.scrape()) {
            String name = snapshot.getMetadata().getPrometheusName();
            if (snapshot instanceof CounterSnapshot) {
                names.add(name + "_total");
            } else if (snapshot instanceof GaugeSnapshot) {
                names.add(name);
            } else if (snapshot instanceof InfoSnapshot) {
                names.add(name + "_info");
            } else if (snapshot instanceof HistogramSnapshot || snapshot instanceof SummarySnapshot) {
                names.addAll(List.of(name + "_count", name + "_sum"));
                if (snapshot instanceof HistogramSnapshot) {
                    names.add(name + "_bucket");
                }
            } else {
                throw new AssertionError("no rule for the names of " + snapshot.getClass().getSimpleName() + " " + name);
            }
        }
        return names;
    }

    /** Every PromQL expression of the dashboard: panel targets (rows' nested panels too) and annotations. */
    private List<String> expressions() {
        List<String> expressions = new ArrayList<>();
        dashboard.findValues("expr").forEach(expr -> expressions.add(expr.asText()));
        return expressions;
    }

    @Test
    void everyMetricADashboardQueryNamesIsOneTheJobsRegister() {
        Set<String> exposed = exposedNames();
        List<String> expressions = expressions();
        assertThat(expressions).as("queries in the dashboard").hasSizeGreaterThan(10);
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            assertThat(m.find()).as("query names a streamtree metric: " + expr).isTrue();
            do {
                assertThat(exposed).as("metric " + m.group() + " in query " + expr).contains(m.group());
            } while (m.find());
        }
    }

    @Test
    void everyRegisteredMetricAppearsOnSomePanelAndNamesFollowPrometheusConventions() {
        Set<String> exposed = exposedNames();
        String queries = String.join("\n", expressions());
        for (String name : exposed) {
            String base = name.replaceAll("_(bucket|sum|count)$", "");
            assertThat(queries).as("a panel shows " + base).containsPattern("\\b" + Pattern.quote(base) + "(_bucket|_sum|_count)?\\b");
            assertThat(name).as(name).startsWith("streamtree_").matches("[a-z0-9_]+");
        }
        assertThat(exposed).as("time in seconds").filteredOn(n -> n.contains("duration") || n.contains("load"))
                .allSatisfy(n -> assertThat(n).containsPattern("_seconds(_bucket|_sum|_count)$"));
    }

    @Test
    void theCheckCatchesAQueryOfAMetricThatDoesNotExist() {
        Set<String> exposed = exposedNames();
        assertThat(exposed).contains("streamtree_events_read_total", "streamtree_serving_model_info",
                "streamtree_retrain_runs_total", "streamtree_batch_duration_seconds_bucket",
                "streamtree_live_accuracy_ratio", "streamtree_drift_detections_total");
        assertThat(exposed).doesNotContain("streamtree_events_read", "streamtree_live_accuracy");
    }
}
