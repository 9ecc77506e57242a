package dev.streamtree.launcher.demo;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReportHtmlTest {

    static DemoReport sample() {
        return new DemoReport(Instant.parse("2026-11-25T10:00:00Z"), 120, 60, 1, 3, 36_000, 18, 18, 36_000, 36_000, 30_000, 0,
                28_000, 0,
                List.of(new DemoReport.Retrain(30, "promoted", "v000001", "first model"),
                        new DemoReport.Retrain(60, "kept", "v000002", "worse <by> 0.02"),
                        new DemoReport.Retrain(90, "promoted", "v000003", "beats champion")),
                List.of(new AccuracyTimeline.Bucket(30, "v000001", 1500, 1450), new AccuracyTimeline.Bucket(35, "v000001", 1500, 1440),
                        new AccuracyTimeline.Bucket(60, "v000001", 1500, 700), new AccuracyTimeline.Bucket(95, "v000003", 1500, 1430),
                        new AccuracyTimeline.Bucket(100, "v000003", 1500, 1440)),
                0.965, 0.958, "v000003", "if (age <= 39.5)\n  predict A");
    }

    @Test
    void drawsOneSeriesPerVersionWithTheDriftAndPromotionsMarked() {
        String html = ReportHtml.render(sample());
        assertThat(html).contains("<svg id=\"accuracy-chart\"");
        assertThat(html).contains("data-version=\"v000001\"").contains("data-version=\"v000003\"");
        assertThat(html.split("class=\"series\"", -1)).hasSize(3);
        assertThat(html).contains(">drift</text>").contains(">v000001</text>").contains(">v000003</text>")
                .doesNotContain(">v000002</text>"); // kept versions are not promotion markers
        // 30 s of 120 s across a 880 px plot starting at 60 px: x = 280; 1450/1500 accuracy: y = 20 + 310 * (1 - 0.9667)
        assertThat(html).contains("points=\"280.0,30.3 316.7,32.4 500.0,185.3\"");
    }

    @Test
    void escapesTextAndShowsCountsAndTheTree() {
        String html = ReportHtml.render(sample());
        assertThat(html).contains("worse &lt;by&gt; 0.02").doesNotContain("worse <by>");
        assertThat(html).contains("<th>accuracy before the drift</th><td>96.5%</td>");
        assertThat(html).contains("<pre id=\"tree\">if (age &lt;= 39.5)\n  predict A</pre>");
    }
}
