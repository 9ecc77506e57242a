package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.control.ControlMessage.Reason;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.retrain.source.LakeTableEvents;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A drift retrain (rows, search and trees on the driver) against an on-demand retrain forced through Spark
 * ({@code --driver-rows 0}) on the same
 * post-change rows (real Spark, real lake writer and catalog): the same search, the same holdout, accuracy within two
 * points; and the drift wait's metadata count. Prints both timings (observed, not asserted: they depend on the
 * machine's load).
 */
class QuickRetrainIT {

    @TempDir
    static Path dir;

    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestSpark.local("QuickRetrainIT");
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void aDriftRetrainSearchesTheSameGridOnTheDriverAndStaysWithinTwoPointsOfSparksSearch() {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        String lakeDir = dir.resolve("lake").toString();
        AgrawalLake lake = new AgrawalLake(spark, schema, lakeDir, "quick_it", Instant.now().minus(Duration.ofHours(5)));
        lake.append(4000, 1, 1);
        Instant change = lake.nextEventTime();
        for (int i = 0; i < 8; i++) {
            lake.append(500, 3, 10 + i); // 8 lake commits after the change, as micro-batches write them
        }
        RetrainConfig config = RetrainConfig.builder().lake(lakeDir).registry(dir.resolve("registry").toString())
                .catalog(CatalogKind.LOCAL, "quick_it", "events", null).window(TrainingWindow.lastRows(1_000_000)).build();
        RetrainJob job = RetrainJob.create(spark, config);

        // The drift wait's probe: the table's metadata alone counts the 4,000 rows after the change (each append's
        // files lie wholly on one side of it), and never more than a read finds
        LakeTableEvents source = new LakeTableEvents(spark, new LakeTables(CatalogKind.LOCAL, lakeDir, null),
                LakeTables.identifier("quick_it", "events"));
        assertThat(source.labelledRowsLowerBound(schema, change)).isEqualTo(4_000);
        assertThat(source.labelledRowsLowerBound(schema, null)).isEqualTo(8_000);
        // a point half a second into the first post-change append: its file (its part of the first file, should an hour
        // start inside the append) straddles it and is not counted; 3,999 rows lie after it
        Instant inside = change.plusMillis(500);
        assertThat(source.labelledRowsLowerBound(schema, inside)).isBetween(3_500L, 3_999L);
        assertThat(job.labelledRowsSince(inside, 3_500)).isBetween(3_500L, 3_999L);
        assertThat(job.labelledRowsSince(inside, 4_000)).as("the bound is short of the need: the exact count, read on the driver")
                .isEqualTo(3_999);

        job.run(new RetrainJob.Trigger(Reason.BOOTSTRAP, null, 500)); // a champion of the old concept

        long t0 = System.nanoTime();
        RetrainOutcome full = job.with(config.toBuilder().driverRows(0).build())
                .run(new RetrainJob.Trigger(Reason.REQUEST, change, 500));
        double fullSeconds = (System.nanoTime() - t0) / 1e9;
        long t1 = System.nanoTime();
        RetrainOutcome quick = job.run(new RetrainJob.Trigger(Reason.DRIFT, change, 500));
        double quickSeconds = (System.nanoTime() - t1) / 1e9;
        System.out.printf(Locale.ROOT, "observed: full search %.2f s, quick search %.2f s (ratio %.2f)%n%s%n%s%n",
                fullSeconds, quickSeconds, quickSeconds / fullSeconds, full.summary(), quick.summary());

        assertThat(windowRows(quick.summary())).as("the driver's read finds the rows Spark's finds")
                .isEqualTo(windowRows(full.summary())).isEqualTo(4_000);
        assertThat(fits(full.summary())).as("5 folds x 3 leaf minimums, by Spark").isEqualTo(15);
        assertThat(fits(quick.summary())).as("the same search, on the driver").isEqualTo(15);
        assertThat(SearchGrid.defaults().candidates()).contains(quick.params());
        // The split is an approximate event-time quantile (relative error 0.0005), so the driver-local copy may cut one
        // row off from where the lake read cuts: the same holdout up to that error.
        assertThat(quick.candidateMetrics().rows()).as("the same holdout, up to the quantile's error")
                .isCloseTo(full.candidateMetrics().rows(), org.assertj.core.data.Offset.offset(8L));
        assertThat(quick.candidateMetrics().accuracy()).as("quick vs full candidate on the same post-change holdout")
                .isGreaterThan(full.candidateMetrics().accuracy() - 0.02);
        assertThat(quick.candidateMetrics().accuracy()).isGreaterThan(0.9);
        assertThat(quick.summary()).contains("drift (on the driver)");
        assertThat(full.summary()).doesNotContain("grown on the driver");
        assertThat(job.registry().metadata(quick.candidate()).hyperparameters()).containsEntry("trainer", "driver");
        assertThat(job.registry().metadata(full.candidate()).hyperparameters()).containsEntry("trainer", "spark");
    }

    private static int windowRows(String summary) {
        Matcher m = Pattern.compile("data: +(\\d+) labelled rows").matcher(summary);
        assertThat(m.find()).as("summary names the rows: " + summary).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static int fits(String summary) {
        Matcher m = Pattern.compile("candidates, (\\d+) fits in").matcher(summary);
        assertThat(m.find()).as("summary names the fits: " + summary).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
