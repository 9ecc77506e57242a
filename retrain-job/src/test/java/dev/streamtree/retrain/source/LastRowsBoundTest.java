package dev.streamtree.retrain.source;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.lake.table.LakeBatches;
import dev.streamtree.lake.table.LakeJournal;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.train.TrainingData;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "last N labelled rows" bound from file metrics, on a real table written by the lake writer: 30 labelled events
 * in each of hours 9-11 and 30 unlabelled ones in hour 12, one batch per hour in two files.
 */
class LastRowsBoundTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final TableIdentifier EVENTS = LakeTables.identifier("last_rows", "events");
    private static final Instant DAY = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    static Path lake;
    static SparkSession spark;
    static Table table;
    static LakeTables tables;
    static final List<Instant> LABELLED_TIMES = new ArrayList<>();

    @BeforeAll
    static void writeFourHours() {
        spark = TestSpark.local("LastRowsBoundTest");
        tables = new LakeTables(CatalogKind.LOCAL, lake.toString(), null)
                .qualified(spark.sparkContext().hadoopConfiguration());
        table = tables.ensureEventsTable(tables.catalog(spark.sparkContext().hadoopConfiguration()), EVENTS, SCHEMA);
        try (LakeBatchWriter writer = LakeBatchWriter.start(table, LakeJournal.directory(tables, EVENTS, "t"), "t",
                spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
            for (int hour = 9; hour <= 12; hour++) {
                LakeBatches.writeAndCommit(writer, rows(hour, hour < 12), hour);
            }
        }
        table.refresh();
        LABELLED_TIMES.sort(Comparator.reverseOrder());
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void theBoundHoldsTheLatestLabelledRowsAndSkipsTheFilesBeforeIt() throws IOException {
        for (long n : new long[] {1, 15, 30, 31, 45, 60, 89, 90}) {
            Optional<Instant> bound = bound(n);
            assertThat(bound).as("bound for %d rows", n).isPresent();
            Instant nth = LABELLED_TIMES.get((int) n - 1);
            assertThat(bound.get()).as("the %d-th latest labelled row is at or after the bound", n).isBeforeOrEqualTo(nth);
        }
        // 30 rows: hour 11's files alone vouch for them (the unlabelled hour 12 counts nothing), so hours 9 and 10 are
        // skipped by a read from the bound
        Instant thirty = bound(30).orElseThrow();
        assertThat(thirty).isAfterOrEqualTo(DAY.plusSeconds(11 * 3600));
        assertThat(plannedFiles(thirty)).as("files a read from the bound plans").isEqualTo(4); // hours 11 and 12
        assertThat(plannedFiles(null)).isEqualTo(8);
    }

    @Test
    void aRowWindowReadFromTheSourcesBoundEqualsTheWindowOfTheWholeTable() {
        LakeTableEvents source = new LakeTableEvents(spark, tables, EVENTS);
        Instant now = DAY.plusSeconds(13 * 3600);
        for (long n : new long[] {1, 29, 30, 31, 75, 90, 91}) {
            TrainingWindow window = TrainingWindow.lastRows(n);
            Optional<Instant> from = source.lastRowsFrom(SCHEMA, n);
            assertThat(from.isPresent()).as("bound for %d", n).isEqualTo(n <= 90);
            List<Row> whole = TrainingData.windowOnDriver(TrainingData.labelledOnDriver(
                    source.readOnDriver(SCHEMA, null, 1_000).orElseThrow().rows(), SCHEMA), window, now, SCHEMA);
            List<Row> bounded = TrainingData.windowOnDriver(TrainingData.labelledOnDriver(
                    source.readOnDriver(SCHEMA, from.orElse(null), 1_000).orElseThrow().rows(), SCHEMA), window, now, SCHEMA);
            assertThat(ids(bounded)).as("window of the last %d rows", n).isEqualTo(ids(whole)).hasSize((int) Math.min(n, 90));
        }
    }

    private static List<String> ids(List<Row> rows) {
        return rows.stream().map(r -> r.getAs(SCHEMA.idField()).toString()).sorted().toList();
    }

    @Test
    void moreRowsThanTheLabelledOnesOrNoneGiveNoBound() {
        assertThat(bound(91)).as("only 90 labelled rows").isEmpty();
        assertThat(bound(0)).isEmpty();
        assertThat(LastRowsBound.of(table, null, SCHEMA.eventTimeField(), SCHEMA.labelSpec().orElseThrow().name(), 5))
                .as("no snapshot").isEmpty();
    }

    private static Optional<Instant> bound(long rows) {
        return LastRowsBound.of(table, table.currentSnapshot(), SCHEMA.eventTimeField(),
                SCHEMA.labelSpec().orElseThrow().name(), rows);
    }

    private static int plannedFiles(Instant from) throws IOException {
        int files = 0;
        try (CloseableIterable<FileScanTask> tasks = (from == null ? table.newScan()
                : table.newScan().filter(Expressions.greaterThanOrEqual(SCHEMA.eventTimeField(),
                from.getEpochSecond() * 1_000_000L + from.getNano() / 1000))).planFiles()) {
            for (FileScanTask ignored : tasks) {
                files++;
            }
        }
        return files;
    }

    /** 30 events of {@code hour}, one a minute from :00, labelled or not, in two files. */
    private static Dataset<Row> rows(int hour, boolean labelled) {
        List<Row> rows = new ArrayList<>();
        for (int minute = 0; minute < 30; minute++) {
            Instant time = DAY.plusSeconds(3600L * hour + 60L * minute);
            LakePartition partition = LakePartition.of(time);
            rows.add(RowFactory.create("e-" + hour + "-" + minute, Timestamp.from(time), 50000.0, 0.0, 40.0, "1", "2",
                    "3", 100000.0, 10.0, 2000.0, labelled ? "A" : null, partition.eventDate(), partition.eventHour()));
            if (labelled) {
                LABELLED_TIMES.add(time);
            }
        }
        return spark.createDataFrame(rows, LakeTable.sparkSchema(SCHEMA)).repartition(2);
    }
}
