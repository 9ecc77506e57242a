package dev.streamtree.lake.maintenance;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.lake.table.LabelsTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Real local Spark and a real Iceberg table in a temporary Hadoop catalog. */
class LakeCompactionIT {

    private static final Instant DAY = Instant.parse("2024-08-01T00:00:00Z");
    private static SparkSession spark;

    @TempDir
    Path warehouse;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeCompactionIT");
        spark.conf().set("spark.sql.session.timeZone", "UTC");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** Six batches, each 400 rows over hours 00-02 of the day (4 files per hour per batch). */
    private static Table smallFileLake(Path warehouse, String name) {
        Table table = IcebergLakes.create(warehouse, name);
        for (int batch = 0; batch < 6; batch++) {
            IcebergLakes.append(table, IcebergLakes.rows(spark, batch * 400L, 400, DAY.plusSeconds(batch), Duration.ofSeconds(27)), 4);
        }
        return table;
    }

    private static Clock at(Instant now) {
        return Clock.fixed(now, ZoneOffset.UTC);
    }

    @Test
    void compactsClosedHoursToOneFileEachAndKeepsEveryRow() {
        Table table = smallFileLake(warehouse, "compact");
        List<String> before = IcebergLakes.ids(spark, table);
        LakeInventory inventoryBefore = LakeInventory.of(table, CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES);
        assertThat(inventoryBefore.partitions()).as("hours written").hasSize(3);
        assertThat(inventoryBefore.partitions()).allSatisfy(h -> assertThat(h.files()).as("files of " + h.partition()).isGreaterThanOrEqualTo(12));

        // 03:30 with a 2 h grace: hour 00 is closed (ended 01:00 <= 01:30), hours 01 and 02 are not.
        LakeCompaction.Result early = new LakeCompaction(spark, at(DAY.plus(Duration.ofMinutes(210))))
                .compact(table, CompactionOptions.defaults());
        assertThat(early.hoursRewritten()).as("hours rewritten at 03:30").isEqualTo(1);
        assertThat(filesPerHour(table)).as("files per hour after compacting only the closed one")
                .containsEntry(new LakePartition("2024-08-01", 0), 1)
                .containsEntry(new LakePartition("2024-08-01", 1), inventoryBefore.partitions().get(1).files());

        LakeCompaction.Result result = new LakeCompaction(spark, at(DAY.plus(Duration.ofDays(1)))).compact(table, CompactionOptions.defaults());
        assertThat(result.hoursRewritten()).as("hours rewritten a day later").isEqualTo(2);
        assertThat(result.failedFiles()).isZero();
        assertThat(filesPerHour(table).values()).as("files per hour after compaction").containsOnly(1);
        assertThat(IcebergLakes.ids(spark, table)).as("row set after compaction").isEqualTo(before);
        assertThat(table.currentSnapshot().allManifests(table.io())).as("manifests after rewrite_manifests").hasSize(1);
        assertThat(encodings(table, "car")).as("a categorical column of a compacted file (the task files have no dictionaries)")
                .containsAnyOf(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY);

        LakeCompaction.Result again = new LakeCompaction(spark, at(DAY.plus(Duration.ofDays(1)))).compact(table, CompactionOptions.defaults());
        assertThat(again.hoursPending()).as("hours pending after a complete compaction").isZero();
        assertThat(again.rewrittenFiles()).isZero();
    }

    @Test
    void theLabelsTableIsCompactedAndRetainedByItsLabelledHours() {
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, warehouse.resolve("lake").toString(), null).qualified(conf);
        Table labels = LabelsTable.ensure(tables, tables.catalog(conf), LabelsTable.identifier("db"));
        assertThat(HourColumns.of(labels.spec())).isEqualTo(new HourColumns("labelled_date", "labelled_hour"));
        for (int batch = 0; batch < 4; batch++) {
            appendLabels(labels, batch * 300L, 300, DAY.plusSeconds(batch), 3);
        }
        List<String> before = labelIds(labels);
        LakeInventory inventory = LakeInventory.of(labels, CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES);
        assertThat(inventory.partitions()).extracting(LakeInventory.HourFiles::partition).containsExactly(
                new LakePartition("2024-08-01", 0), new LakePartition("2024-08-01", 1), new LakePartition("2024-08-01", 2));
        assertThat(inventory.partitions()).allSatisfy(h -> assertThat(h.files()).isGreaterThanOrEqualTo(4));

        LakeCompaction.Result compacted = new LakeCompaction(spark, at(DAY.plus(Duration.ofDays(1))))
                .compact(labels, CompactionOptions.defaults());
        assertThat(compacted.hoursRewritten()).isEqualTo(3);
        assertThat(filesPerHour(labels).values()).as("files per labelled hour after compaction").containsOnly(1);
        assertThat(labelIds(labels)).as("labels after compaction").isEqualTo(before);

        // Retain 23 h at 01:30 the next day (cut-off 02:30): labelled hours 00 and 01 had ended by then, hour 02 had not.
        LakeRetention.Result retained = new LakeRetention(spark, at(DAY.plus(Duration.ofMinutes(24 * 60 + 90))))
                .retain(labels, warehouse.resolve("journal").toString(),
                        new RetentionOptions(java.util.Optional.of(Duration.ofHours(23)), Duration.ZERO, 1, Duration.ofDays(3)));
        assertThat(retained.deletedPartitions()).isEqualTo(2);
        assertThat(LakeInventory.of(labels, CompactionOptions.DEFAULT_TARGET_FILE_SIZE_BYTES).partitions())
                .extracting(LakeInventory.HourFiles::partition).containsExactly(new LakePartition("2024-08-01", 2));
        assertThat(labelIds(labels)).as("labels of hour 02 only").isNotEmpty()
                .allSatisfy(id -> assertThat(before).contains(id)).hasSizeLessThan(before.size());
    }

    /** Label rows for events {@code e-first ..}, labelled from {@code start} every 27 s, in {@code files} files. */
    private static void appendLabels(Table labels, long first, long count, Instant start, int files) {
        String time = "timestamp_micros(" + (start.toEpochMilli() * 1000) + " + (id - " + first + ") * 27000000)";
        IcebergLakes.appendRows(labels, spark.range(first, first + count).selectExpr("concat('e-', id) as event_id",
                "if(id % 2 = 0, 'A', 'B') as label", time + " as labelled_at",
                "date_format(" + time + ", 'yyyy-MM-dd') as labelled_date", "hour(" + time + ") as labelled_hour"), files,
                "labelled_date", "labelled_hour");
    }

    private static List<String> labelIds(Table labels) {
        return spark.table(IcebergLakes.sparkName(spark, labels)).select("event_id").orderBy("event_id")
                .collectAsList().stream().map(r -> r.getString(0)).toList();
    }

    @Test
    void lateEventsAppendedDuringAndAfterCompactionAreKept() throws InterruptedException {
        Table table = smallFileLake(warehouse, "late");
        List<String> expected = new ArrayList<>(IcebergLakes.ids(spark, table));
        // Written now, appended from a listener as the rewrite's first Spark job starts: the writer's commit racing
        // the compaction into the same hour.
        AtomicReference<Throwable> appendFailure = new AtomicReference<>();
        java.util.concurrent.CountDownLatch appended = new java.util.concurrent.CountDownLatch(1);
        SparkListener racer = new SparkListener() {
            private boolean done;

            @Override
            public synchronized void onJobStart(SparkListenerJobStart jobStart) {
                if (done) {
                    return;
                }
                done = true;
                try {
                    IcebergLakes.append(IcebergLakes.load(warehouse, "late"),
                            IcebergLakes.rows(spark, 100_000, 3, DAY.plusSeconds(60), Duration.ofSeconds(1)), 1);
                } catch (Throwable t) {
                    appendFailure.set(t);
                } finally {
                    appended.countDown();
                }
            }
        };
        spark.sparkContext().addSparkListener(racer);
        try {
            new LakeCompaction(spark, at(DAY.plus(Duration.ofDays(1)))).compact(table, CompactionOptions.defaults());
        } finally {
            spark.sparkContext().removeSparkListener(racer);
        }
        // Listener events are delivered on Spark's listener thread: the append may finish after the rewrite's commit.
        assertThat(appended.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("racing append finished").isTrue();
        assertThat(appendFailure.get()).as("the racing append").isNull();
        expected.addAll(List.of("e-100000", "e-100001", "e-100002"));
        expected.sort(null);
        assertThat(IcebergLakes.ids(spark, table)).as("rows after compaction with a racing append").isEqualTo(expected);

        IcebergLakes.append(table, IcebergLakes.rows(spark, 200_000, 2, DAY.plusSeconds(120), Duration.ofSeconds(1)), 1);
        expected.addAll(List.of("e-200000", "e-200001"));
        expected.sort(null);
        LakeStatus status = LakeStatus.of(table, CompactionOptions.defaults(), at(DAY.plus(Duration.ofDays(1))));
        assertThat(status.pendingCompaction()).as("hour 00 after late events").contains(new LakePartition("2024-08-01", 0));
        new LakeCompaction(spark, at(DAY.plus(Duration.ofDays(1)))).compact(table, CompactionOptions.defaults());
        assertThat(IcebergLakes.ids(spark, table)).as("rows after compacting the late events in").isEqualTo(expected);
        assertThat(filesPerHour(table).values()).as("files per hour").containsOnly(1);
    }

    /** The encodings of {@code column} in the first row group of the table's first data file. */
    private static java.util.Set<Encoding> encodings(Table table, String column) {
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles();
             ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                     new org.apache.hadoop.fs.Path(tasks.iterator().next().file().location()),
                     spark.sparkContext().hadoopConfiguration()))) {
            return reader.getFooter().getBlocks().get(0).getColumns().stream()
                    .filter(c -> c.getPath().toDotString().equals(column)).findFirst().orElseThrow().getEncodings();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static java.util.Map<LakePartition, Integer> filesPerHour(Table table) {
        java.util.Map<LakePartition, Integer> out = new java.util.TreeMap<>();
        table.refresh();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                DataFile f = task.file();
                out.merge(LakeInventory.partitionOf(table.specs().get(f.specId()), f.partition()), 1, Integer::sum);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }
}
