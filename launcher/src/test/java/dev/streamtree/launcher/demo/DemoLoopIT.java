package dev.streamtree.launcher.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.lake.table.LakeTables;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The system test of the whole loop: runs the demo (embedded KRaft broker, local Spark streaming job, retrain
 * scheduler, drifting generator) for six minutes and checks its outputs: report.json, the lake files read
 * back with a fresh Spark session, and the report rendered in headless Chromium.
 */
class DemoLoopIT {

    @Test
    void theLoopRetrainsThroughADriftAndRecovers(@TempDir Path dir) throws Exception {
        Path work = dir.resolve("demo");
        // The drift is planned at 180 s of 360; the demo holds it until a model has served for 30 s (the pre-drift
        // accuracy's window), which on a loaded, CPU-stolen machine came at 128-164 s.
        DemoSettings settings = new DemoSettings(work, Duration.ofSeconds(360), 200, 7, 1, 3, 0.5,
                Duration.ofSeconds(45), Duration.ofSeconds(45), Duration.ofSeconds(2), 1000, Duration.ofSeconds(10), 0,
                DemoSettings.MetricsPorts.OFF);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new DemoRun(settings, new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        System.out.println(console.toString(StandardCharsets.UTF_8));

        JsonNode report = Json.mapper().readTree(work.resolve("report.json").toFile());
        long generated = report.get("eventsGenerated").asLong();
        long drift = report.get("driftSecond").asLong();
        assertThat(generated).isGreaterThan(50_000);
        assertThat(drift).as("the drift's second: planned at %d, held until a model had served", settings.driftSecond())
                .isGreaterThanOrEqualTo(settings.driftSecond());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("*** concept drift: labels now follow Agrawal function 3");

        List<JsonNode> promotions = new ArrayList<>();
        report.get("retrains").forEach(r -> {
            if (r.get("status").asText().equals("promoted")) {
                promotions.add(r);
            }
        });
        assertThat(promotions).as("promoted retrains in %s", report.get("retrains")).hasSizeGreaterThanOrEqualTo(2);
        assertThat(promotions).as("a promotion after the drift at %d s", drift).anySatisfy(p -> assertThat(p.get("second").asLong()).isGreaterThan(drift));

        double before = report.get("preDriftAccuracy").asDouble();
        double after = report.get("recoveredAccuracy").asDouble();
        assertThat(before).as("accuracy before the drift").isGreaterThan(0.85);
        assertThat(after).as("accuracy after the post-drift promotion, vs %.4f before", before).isGreaterThanOrEqualTo(before - 0.03);

        // The accuracy figures above are the monitor's; so is the drift detection.
        assertThat(report.get("drifts")).as("the monitor's drift detections").isNotEmpty();
        JsonNode firstDrift = report.get("drifts").get(0);
        // The generator switches at exactly driftSecond after the report's origin and "second" is floored, so a
        // detection at or after the drift has second >= driftSecond, and one before it has less.
        assertThat(firstDrift.get("second").asLong()).as("detected at or after the drift at %d s", drift)
                .isGreaterThanOrEqualTo(drift);
        assertThat(firstDrift.get("errorAfter").asDouble()).isGreaterThan(firstDrift.get("errorBefore").asDouble());
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("*** drift detected in ");
        assertThat(promotions).as("a drift retrain promoted after the drift, in %s", report.get("retrains"))
                .anySatisfy(p -> {
                    assertThat(p.get("second").asLong()).isGreaterThanOrEqualTo(firstDrift.get("second").asLong());
                    assertThat(p.get("detail").asText()).contains("(drift)");
                });

        assertThat(report.get("eventsAfterFirstModel").asLong()).isGreaterThan(10_000);
        assertThat(report.get("missingAfterFirstModel").asLong()).as("events without a prediction once a model existed").isZero();
        assertThat(report.get("deadLetters").asLong()).isEqualTo(report.get("badRecordsSent").asLong()).isPositive();

        SparkSession spark = TestSpark.local("demo-check");
        try {
            new LakeTables(CatalogKind.LOCAL, work.resolve("lake").toString(), null)
                    .qualified(spark.sparkContext().hadoopConfiguration()).configure(spark);
            Row lake = spark.table("streamtree.events")
                    .agg(functions.count(functions.lit(1)), functions.countDistinct("id")).first();
            assertThat(lake.getLong(0)).as("lake rows").isEqualTo(generated);
            assertThat(lake.getLong(1)).as("distinct ids in the lake").isEqualTo(generated);
        } finally {
            spark.stop();
        }

        String html = Files.readString(work.resolve("report.html"));
        assertThat(html).contains("<svg id=\"accuracy-chart\"").contains("class=\"series\"");
        if (Files.isExecutable(ReportRenderIT.CHROMIUM) || System.getenv("CI") != null) {
            ReportRenderIT.requireChromium();
            BufferedImage image = ReportRenderIT.screenshot(work.resolve("report.html"), dir);
            int first = Integer.parseInt(ReportHtml.PALETTE.get(0).substring(1), 16);
            assertThat(ReportRenderIT.pixelsOf(image, first)).as("first model's accuracy line drawn").isGreaterThan(200);
        }
    }
}
