package dev.streamtree.lake.maintenance;

import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Real local Spark and a real Iceberg table in a temporary Hadoop catalog; file ages set on the real files. */
class LakeRetentionIT {

    private static final Instant DAY1 = Instant.parse("2024-08-01T00:00:00Z");
    private static final Instant DAY2 = DAY1.plus(Duration.ofDays(1));
    private static SparkSession spark;

    @TempDir
    Path warehouse;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeRetentionIT");
        spark.conf().set("spark.sql.session.timeZone", "UTC");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Three days of 240 rows, one batch per day, committed by writer w1 as batches 1-3. */
    private Table threeDays(String name) {
        Table table = IcebergLakes.create(warehouse, name);
        for (int day = 0; day < 3; day++) {
            spark.conf().set("spark.sql.iceberg.snapshot-property." + LakeRetention.WRITER_ID, "w1");
            spark.conf().set("spark.sql.iceberg.snapshot-property." + LakeRetention.BATCH_ID, Integer.toString(day + 1));
            IcebergLakes.append(table, IcebergLakes.rows(spark, day * 240L, 240, DAY1.plus(Duration.ofDays(day)), Duration.ofMinutes(6)), 2);
        }
        spark.conf().unset("spark.sql.iceberg.snapshot-property." + LakeRetention.WRITER_ID);
        spark.conf().unset("spark.sql.iceberg.snapshot-property." + LakeRetention.BATCH_ID);
        return table;
    }

    @Test
    void deletesOldPartitionsExpiresSnapshotsAndRemovesOrphansAndCommittedJournalEntries() throws IOException {
        Table table = threeDays("retained");
        assertThat(LakeRetention.committedBatches(table)).as("committed batches by writer").containsEntry("w1", 3L);
        List<String> kept = IcebergLakes.ids(spark, table).stream().filter(id -> Long.parseLong(id.substring(2)) >= 240).toList();
        Path data = warehouse.resolve("db/retained/data");
        Path orphan = data.resolve("event_date=2024-08-02/event_hour=0/killed-task.parquet");
        Files.writeString(orphan, "not in any snapshot");
        Path journal = warehouse.resolve("journal/w1");
        Files.createDirectories(journal);
        Path committedEntry = Files.writeString(journal.resolve("batch-2"), "committed already");
        Path pendingEntry = Files.writeString(journal.resolve("batch-4"), "waiting for the next commit");
        Path killedWrite = Files.writeString(journal.resolve(".batch-5.tmp"), "half written");
        // File times only in the past: some file systems here refuse times in the future.
        Instant now = Instant.now();
        FileTime old = FileTime.from(now.minus(Duration.ofDays(5)));
        Files.setLastModifiedTime(orphan, old);
        Files.setLastModifiedTime(killedWrite, old);

        // Keep event time from day 2 on.
        Duration retain = Duration.between(DAY2, now);
        LakeRetention.Result result = new LakeRetention(spark, Clock.fixed(now, ZoneOffset.UTC))
                .retain(table, warehouse.resolve("journal").toString(), new RetentionOptions(Optional.of(retain), Duration.ZERO, 1, Duration.ofDays(3)));

        assertThat(result.deletedPartitions()).as("hour partitions of day 1").isEqualTo(24);
        assertThat(result.deletedRows()).as("rows of day 1").isEqualTo(240);
        assertThat(IcebergLakes.ids(spark, table)).as("rows left").isEqualTo(kept);
        table.refresh();
        assertThat(table.snapshots()).as("snapshots left: the delete, and w1's latest, pinned by its journal")
                .hasSize(2).anySatisfy(s -> assertThat(s.summary()).containsEntry(LakeRetention.BATCH_ID, "3"));
        assertThat(result.expiredSnapshots()).as("snapshots expired (the first two appends)").isEqualTo(2);
        assertThat(orphan).as("orphan data file").doesNotExist();
        assertThat(result.deletedOrphans()).as("orphans deleted").isGreaterThanOrEqualTo(1);
        assertThat(result.orphansSkipped()).isEmpty();
        assertThat(committedEntry).as("journal entry of a committed batch").doesNotExist();
        assertThat(killedWrite).as("stale temporary journal file").doesNotExist();
        assertThat(pendingEntry).as("journal entry of an uncommitted batch").exists();
        assertThat(result.journalEntriesDeleted()).isEqualTo(2);
    }

    @Test
    void leavesOrphansAloneWhileTheJournalHoldsAnUncommittedBatchOlderThanTheOrphanAge() throws IOException {
        Table table = threeDays("waiting");
        Path orphan = warehouse.resolve("db/waiting/data/event_date=2024-08-02/event_hour=0/journaled-batch.parquet");
        Files.writeString(orphan, "named by the journal, not yet committed");
        Path journal = warehouse.resolve("journal/w1");
        Files.createDirectories(journal);
        Path pendingEntry = Files.writeString(journal.resolve("batch-4"), "waiting since the writer was killed");
        Instant now = Instant.now();
        Files.setLastModifiedTime(orphan, FileTime.from(now.minus(Duration.ofDays(5))));
        Files.setLastModifiedTime(pendingEntry, FileTime.from(now.minus(Duration.ofDays(5))));

        LakeRetention.Result result = new LakeRetention(spark, Clock.fixed(now, ZoneOffset.UTC))
                .retain(table, warehouse.resolve("journal").toString(), RetentionOptions.defaults(Optional.empty()));

        assertThat(result.orphansSkipped()).as("why orphan removal was skipped").get().asString().contains("uncommitted batch");
        assertThat(orphan).as("the journaled batch's file").exists();
        assertThat(pendingEntry).exists();
        assertThat(result.deletedPartitions()).as("no retention set").isZero();
        assertThat(IcebergLakes.ids(spark, table)).hasSize(720);
    }

    @Test
    void readsTheRetentionFromTheTableProperty() {
        Table table = threeDays("property");
        // Keep the last hour of day 3 only; the clock is real, so the appends are older than the expiry cut-off.
        Instant now = Instant.now();
        Instant hour = now.truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        Duration retain = Duration.between(DAY1.plus(Duration.ofHours(71)), hour);
        table.updateProperties().set(RetentionOptions.RETAIN_PROPERTY, dev.streamtree.common.config.Durations.format(retain)).commit();
        LakeRetention.Result result = new LakeRetention(spark, Clock.fixed(now, ZoneOffset.UTC))
                .retain(table, warehouse.resolve("journal").toString(),
                        new RetentionOptions(Optional.empty(), Duration.ZERO, 1, RetentionOptions.DEFAULT_ORPHAN_AGE));
        assertThat(result.retained()).contains(retain);
        assertThat(result.deletedPartitions()).as("every hour before the last of day 3").isEqualTo(71);
        assertThat(IcebergLakes.ids(spark, table)).as("rows of hour 2024-08-03 23").hasSize(10);
        assertThat(result.expiredSnapshots()).as("no journal pins a snapshot: the three appends expire").isEqualTo(3);
        assertThat(result.deletedDataFiles()).as("the deleted hours' files, with the last snapshots naming them")
                .isEqualTo(result.deletedPartitionFiles());
        assertThat(parquet(warehouse.resolve("db/property/data/event_date=2024-08-01"))).as("day 1's files on disk").isZero();
    }

    private static long parquet(Path dir) {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".parquet")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
