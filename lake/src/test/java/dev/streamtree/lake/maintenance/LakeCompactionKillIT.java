package dev.streamtree.lake.maintenance;

import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A compaction in a separate JVM ({@link CompactionChild}), killed with SIGKILL ({@link Process#destroyForcibly()})
 * as soon as its first rewrite job has ended, while other hours' rewrites are still running or waiting. Real local
 * Spark and a real Iceberg table in a temporary Hadoop catalog.
 */
class LakeCompactionKillIT {

    private static final Instant DAY = Instant.parse("2024-08-01T00:00:00Z");
    private static final Instant NOW = DAY.plus(Duration.ofDays(2));
    private static final long STEP_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static SparkSession spark;

    @TempDir
    Path warehouse;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeCompactionKillIT");
        spark.conf().set("spark.sql.session.timeZone", "UTC");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void aCompactionKilledMidRewriteLosesAndDuplicatesNothing() throws Exception {
        Table table = IcebergLakes.create(warehouse, "killed");
        // 6 hours, 4 batches of 2 files an hour: 48 files, 6 rewrite groups committed one by one.
        for (int batch = 0; batch < 4; batch++) {
            IcebergLakes.append(table, IcebergLakes.rows(spark, batch * 600L, 600, DAY.plusSeconds(batch), Duration.ofSeconds(36)), 2);
        }
        List<String> before = IcebergLakes.ids(spark, table);
        assertThat(before).as("rows written").hasSize(2400);
        long filesWritten = parquetFiles();

        Path log = warehouse.resolve("child.log");
        Process child = startChild(log);
        try {
            awaitLog(log, CompactionChild.JOB_ENDED, child);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("child gone after SIGKILL").isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(Files.readString(log)).as("the child was killed before it finished").doesNotContain(CompactionChild.DONE);

        assertThat(parquetFiles()).as("data files on disk after the kill: the killed rewrite had written some")
                .isGreaterThan(filesWritten);
        table.refresh();
        LakeInventory afterKill = LakeInventory.of(table, CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES);
        System.out.println("LakeCompactionKillIT: after the kill " + afterKill.files() + " files in "
                + afterKill.partitions().size() + " hours; "
                + afterKill.pendingCompaction(ClosedHours.firstOpen(NOW, CompactionOptions.DEFAULT_GRACE)).size() + " hours pending");
        assertThat(afterKill.pendingCompaction(ClosedHours.firstOpen(NOW, CompactionOptions.DEFAULT_GRACE)))
                .as("hours still to compact after the kill (the kill came mid-rewrite)").isNotEmpty();
        assertThat(IcebergLakes.ids(spark, table)).as("row set after the kill").isEqualTo(before);

        LakeCompaction.Result rerun = new LakeCompaction(spark, Clock.fixed(NOW, ZoneOffset.UTC)).compact(table, CompactionOptions.defaults());
        assertThat(rerun.failedFiles()).isZero();
        assertThat(LakeCompactionIT.filesPerHour(table).values()).as("files per hour after the rerun").containsOnly(1);
        assertThat(IcebergLakes.ids(spark, table)).as("row set after the rerun").isEqualTo(before);
    }

    private long parquetFiles() throws IOException {
        try (var files = Files.walk(warehouse.resolve("db/killed/data"))) {
            return files.filter(f -> f.toString().endsWith(".parquet")).count();
        }
    }

    private Process startChild(Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("--add-exports")).forEach(command::add);
        command.addAll(List.of("-Xmx1g", "-cp", System.getProperty("java.class.path"), CompactionChild.class.getName(),
                warehouse.toString(), "killed", NOW.toString()));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitLog(Path log, String text, Process child) throws Exception {
        long deadline = System.nanoTime() + STEP_TIMEOUT_NANOS;
        while (!Files.exists(log) || !Files.readString(log).contains(text)) {
            assertThat(child.isAlive()).as("child exited early; log " + tail(log)).isTrue();
            assertThat(System.nanoTime()).as("no '" + text + "' in " + log + ": " + tail(log)).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        String text = Files.readString(log);
        return text.substring(Math.max(0, text.length() - 3000));
    }
}
