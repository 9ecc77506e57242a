package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.testing.TestSpark;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakeBatchWriterTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    /** Long enough that no timed commit runs during a test: the tests commit explicitly. */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static SparkSession spark;
    private static LakeTables tables;

    @TempDir
    static Path lake;
    private TableIdentifier id;
    private Table table;
    private final List<LakeBatchWriter> writers = new ArrayList<>();

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeBatchWriterTest");
        tables = new LakeTables(CatalogKind.LOCAL, lake.toString(), null).qualified(spark.sparkContext().hadoopConfiguration());
        tables.configure(spark);
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void createTable() {
        id = LakeTables.identifier("streamtree", "events" + TABLES.incrementAndGet());
        Catalog catalog = tables.catalog(spark.sparkContext().hadoopConfiguration());
        table = tables.ensureEventsTable(catalog, id(), SCHEMA);
    }

    @AfterEach
    void stopCommitters() {
        writers.forEach(LakeBatchWriter::close);
    }

    @Test
    void aJournaledBatchIsInvisibleUntilCommittedThenReadOnceAndItsReplayWritesNothing() {
        LakeBatchWriter writer = writer("q1");
        LakeCommit first = LakeBatches.write(writer, rows(0, 30), 0);

        assertThat(read().count()).as("journaled, not committed").isZero();
        assertThat(writer.committer().commitPending()).isEqualTo(1);
        LakeCommit replay = LakeBatches.write(writer, rows(0, 30), 0);
        assertThat(writer.committer().commitPending()).as("nothing new to commit").isZero();

        assertThat(first.replayed()).isFalse();
        assertThat(first.rows()).isEqualTo(30);
        assertThat(first.partitions()).containsExactly(new LakePartition("2024-03-01", 0), new LakePartition("2024-03-01", 1));
        assertThat(replay.replayed()).isTrue();
        assertThat(read().count()).isEqualTo(30);
        assertThat(read().select("id").distinct().count()).isEqualTo(30);
        table.refresh();
        assertThat(table.currentSnapshot().summary())
                .containsEntry(LakeCommitter.WRITER_ID, "q1")
                .containsEntry(LakeCommitter.BATCH_ID, "0")
                .containsEntry(LakeCommitter.FIRST_BATCH_ID, "0");
    }

    @Test
    void oneCommitAddsEveryJournaledBatchAndRecordsTheirRange() {
        LakeBatchWriter writer = writer("q2");
        LakeBatches.write(writer, rows(0, 10), 3);
        LakeBatches.write(writer, rows(10, 10), 4);
        LakeBatches.write(writer, rows(20, 10), 5);

        assertThat(writer.committer().commitPending()).isEqualTo(3);

        table.refresh();
        assertThat(table.snapshots()).hasSize(1);
        assertThat(table.currentSnapshot().summary())
                .containsEntry(LakeCommitter.FIRST_BATCH_ID, "3")
                .containsEntry(LakeCommitter.BATCH_ID, "5")
                .containsEntry("added-records", "30");
        assertThat(journalEntries("q2")).as("committed entries deleted").isEmpty();
    }

    @Test
    void commitsMergeTheirManifestsSoPlanningDoesNotGrowWithTheNumberOfCommits() {
        LakeBatchWriter writer = writer("qmerge");
        int commits = 3 * LakeTables.MANIFEST_MERGE_COUNT;
        for (int batch = 0; batch < commits; batch++) {
            LakeBatches.write(writer, rows(batch * 5, 5), batch);
            assertThat(writer.committer().commitPending()).isEqualTo(1);
        }

        table.refresh();
        assertThat(table.snapshots()).hasSize(commits);
        assertThat(table.currentSnapshot().allManifests(table.io())).as("manifests after " + commits + " commits")
                .hasSizeLessThanOrEqualTo(LakeTables.MANIFEST_MERGE_COUNT);
        assertThat(read().count()).as("every row").isEqualTo(5L * commits);
        assertThat(read().select("id").distinct().count()).as("once").isEqualTo(5L * commits);
    }

    @Test
    void aBatchJournaledAnIntervalAfterTheLastCommitIsCommittedAtOnceNotAtTheNextTick() throws Exception {
        LakeBatchWriter writer = writer("qsoon");
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (LakeCommitter committer = hourlyCommitter("qsoon", now)) {
            LakeBatches.write(writer, rows(0, 5), 0);

            assertThat(committer.journaled()).as("within the interval: at its end").isFalse();
            now.addAndGet(Duration.ofHours(1).toNanos());
            assertThat(committer.journaled()).as("an interval after the last commit").isTrue();
            awaitCommitted(committer, 0);
            assertThat(committer.lastCommitted()).as("committed on the committer thread, the hourly tick far off").isZero();
            assertThat(read().count()).isEqualTo(5);
            assertThat(committer.journaled()).as("right after a commit").isFalse();
        }
    }

    @Test
    void whileBatchesComeABatchJournaledWithinTheIntervalIsCommittedRightAfterTheFirstBatchPastItsEnd() throws Exception {
        LakeBatchWriter writer = writer("qnext");
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (LakeCommitter committer = hourlyCommitter("qnext", now)) {
            LakeBatches.write(writer, rows(0, 5), 0);
            // 10 minutes of the hour left (a tenth of an interval early would be on time)
            now.addAndGet(Duration.ofMinutes(50).toNanos());
            assertThat(committer.journaled()).as("within the interval: not at once").isFalse();

            now.addAndGet(Duration.ofMinutes(10).toNanos());
            committer.intervalEnded(); // the interval's end, with a batch journaled 10 minutes before it
            assertThat(committer.lastCommitted()).as("batches still come: the next one commits").isEqualTo(-1);
            now.addAndGet(Duration.ofMinutes(5).toNanos());
            LakeBatches.write(writer, rows(5, 5), 1);
            assertThat(committer.journaled()).as("the first batch past the interval's end").isTrue();
            awaitCommitted(committer, 1);
            assertThat(committer.lastCommitted()).isEqualTo(1);
            assertBothBatchesInOneCommit();
        }
    }

    @Test
    void whenBatchesStopTheJournaledOnesAreCommittedAnIntervalAfterTheLast() throws Exception {
        LakeBatchWriter writer = writer("qstop");
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
        try (LakeCommitter committer = hourlyCommitter("qstop", now)) {
            LakeBatches.write(writer, rows(0, 5), 0);
            now.addAndGet(Duration.ofMinutes(10).toNanos());
            assertThat(committer.journaled()).as("within the interval: not at once").isFalse();
            LakeBatches.write(writer, rows(5, 5), 1);
            now.addAndGet(Duration.ofMinutes(20).toNanos());
            assertThat(committer.journaled()).isFalse();

            now.addAndGet(Duration.ofMinutes(59).toNanos()); // past the interval's end, 59 minutes after batch 1
            committer.intervalEnded();
            assertThat(committer.lastCommitted()).as("a batch less than an interval ago: wait").isEqualTo(-1);
            now.addAndGet(Duration.ofMinutes(1).toNanos()); // an interval after the last batch, none since
            committer.intervalEnded();
            assertThat(committer.lastCommitted()).as("committed once batches stopped for an interval").isEqualTo(1);
            assertBothBatchesInOneCommit();
        }
    }

    @Test
    void aBatchKilledBeforeItsJournalEntryIsWrittenAgainAndItsFirstFilesStayOutOfTheTable() {
        LakeBatchWriter crashed = writer("q3");
        LakeBatch batch = crashed.begin(0);
        LakeFileWriter task = LakeFileWriter.open(batch.target(), 0, 1);
        task.write(new LakePartition("2024-03-01", 0), values("e-1"));
        task.finish();
        // Killed here: files written, no journal entry.

        LakeBatchWriter restarted = writer("q3");
        LakeCommit replay = LakeBatches.writeAndCommit(restarted, rows(0, 20), 0);

        assertThat(replay.replayed()).isFalse();
        assertThat(read().count()).isEqualTo(20);
        assertThat(read().where("id = 'e-1'").count()).as("only the replay's copy").isEqualTo(1);
        assertThat(parquetFiles()).as("the first attempt's file is an orphan on disk").hasSize(replay.files() + 1);
    }

    @Test
    void aBatchKilledAfterItsJournalEntryIsCommittedAtRestartAndNotWrittenAgain() {
        LakeBatchWriter crashed = writer("q4");
        LakeBatches.write(crashed, rows(0, 20), 5);
        // Killed here: journaled, not committed (the committer never ran).

        LakeBatchWriter restarted = writer("q4");
        LakeCommit replay = LakeBatches.writeAndCommit(restarted, rows(0, 20), 5);
        LakeBatches.writeAndCommit(restarted, rows(20, 10), 6);

        assertThat(replay.replayed()).isTrue();
        assertThat(read().count()).isEqualTo(30);
        assertThat(read().select("id").distinct().count()).isEqualTo(30);
    }

    @Test
    void aCommitWhoseJournalEntriesWereNotDeletedIsNotRepeated() throws IOException {
        LakeBatchWriter writer = writer("q5");
        LakeBatches.write(writer, rows(0, 20), 0);
        Path entry = journalDir("q5").resolve("batch-0");
        byte[] journaled = Files.readAllBytes(entry);
        writer.committer().commitPending();
        // Killed after the commit, before the entry was deleted:
        Files.write(entry, journaled);

        LakeBatchWriter restarted = writer("q5");
        LakeCommit replay = LakeBatches.writeAndCommit(restarted, rows(0, 20), 0);

        assertThat(replay.replayed()).isTrue();
        assertThat(read().count()).isEqualTo(20);
        assertThat(journalEntries("q5")).isEmpty();
        table.refresh();
        assertThat(table.snapshots()).hasSize(1);
    }

    @Test
    void writersOfTwoQueriesDoNotTakeEachOthersBatchesForTheirOwn() {
        LakeBatchWriter first = writer("qa");
        LakeBatchWriter second = writer("qb");
        LakeBatches.writeAndCommit(first, rows(0, 10), 0);
        LakeCommit other = LakeBatches.writeAndCommit(second, rows(10, 10), 0);

        assertThat(other.replayed()).isFalse();
        assertThat(read().count()).isEqualTo(20);
        table.refresh();
        assertThat(LakeCommitter.lastCommittedIn(table, "qa")).isZero();
        assertThat(LakeCommitter.lastCommittedIn(table, "qb")).isZero();
    }

    @Test
    void closeCommitsWhatIsJournaled() {
        LakeBatchWriter writer = writer("q6");
        LakeBatches.write(writer, rows(0, 10), 0);

        writer.close();

        assertThat(read().count()).isEqualTo(10);
    }

    @Test
    void theCommitterCommitsOnItsOwnEveryInterval() throws InterruptedException {
        LakeBatchWriter writer = LakeBatchWriter.start(table, journal("q7"), "q7", spark.sparkContext(),
                Duration.ofMillis(50), 4);
        writers.add(writer);
        LakeBatches.write(writer, rows(0, 10), 0);

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (LakeCommitter.lastCommittedIn(refreshed(), "q7") < 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(LakeCommitter.lastCommittedIn(refreshed(), "q7")).as("committed without being asked").isZero();
        assertThat(read().count()).isEqualTo(10);
    }

    @Test
    void sparkReadsEveryValueAsWrittenAndFilesCarryFieldIdsAndColumnBounds() throws IOException {
        LakeBatchWriter writer = writer("q8");
        Dataset<Row> written = rows(0, 12);
        LakeBatches.writeAndCommit(writer, written.coalesce(1), 0);

        assertThat(read().orderBy("id").collectAsList()).isEqualTo(written.orderBy("id").collectAsList());
        assertThat(read().where(SCHEMA.label().name() + " IS NULL").count()).isEqualTo(4);

        table.refresh();
        List<DataFile> files = new ArrayList<>();
        table.currentSnapshot().addedDataFiles(table.io()).forEach(files::add);
        int timeId = table.schema().findField(SCHEMA.eventTimeField()).fieldId();
        DataFile hour0 = files.stream().filter(f -> f.partition().get(1, Integer.class) == 0).findFirst().orElseThrow();
        assertThat((Long) Conversions.fromByteBuffer(Types.TimestampType.withZone(), hour0.lowerBounds().get(timeId)))
                .isEqualTo(Instant.parse("2024-03-01T00:10:00Z").toEpochMilli() * 1000);
        assertThat(hour0.valueCounts().get(timeId)).isEqualTo(6);
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(hour0.location()), spark.sparkContext().hadoopConfiguration()))) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            assertThat(schema.getType(SCHEMA.eventTimeField()).getId().intValue()).isEqualTo(timeId);
            assertThat(schema.getType(SCHEMA.eventTimeField()).getLogicalTypeAnnotation()).hasToString("TIMESTAMP(MICROS,true)");
            // A task's files are plain-encoded (dictionaries cost the streaming write; compaction's files have them).
            assertThat(reader.getFooter().getBlocks()).isNotEmpty().allSatisfy(block -> assertThat(block.getColumns())
                    .hasSize(schema.getColumns().size())
                    .allSatisfy(column -> assertThat(column.getEncodings()).as(column.getPath().toDotString())
                            .doesNotContain(Encoding.PLAIN_DICTIONARY, Encoding.RLE_DICTIONARY)));
        }
        assertThat(hour0.location()).contains("/streamtree/" + id.name() + "/data/event_date=2024-03-01/event_hour=0/q8-0-");
    }

    @Test
    void aTaskKeepsAtMostItsCapOfFilesOpenAcrossAThousandHoursAndEveryRowLands() {
        LakeBatchWriter writer = writer("q9");
        LakeBatch batch = writer.begin(0);
        LakeTarget capped = new LakeTarget(batch.target().table(), batch.target().filePrefix(), 8);
        LakeFileWriter task = LakeFileWriter.open(capped, 0, 1);
        Instant start = Instant.parse("2024-01-01T00:10:00Z");
        for (int i = 0; i < 2000; i++) {
            Instant time = start.plusSeconds(3600L * (i / 2));
            Object[] row = values("e-" + i);
            row[1] = time;
            task.write(LakePartition.of(time), row);
        }
        List<DataFile> files = task.finish();
        writer.finish(batch, files);
        writer.committer().commitPending();

        assertThat(task.peakOpenFiles()).as("open files at once").isEqualTo(8);
        assertThat(files).hasSize(1000);
        assertThat(read().count()).isEqualTo(2000);
        assertThat(read().select("id").distinct().count()).isEqualTo(2000);
        assertThat(read().select("event_date", "event_hour").distinct().count()).isEqualTo(1000);
    }

    @Test
    void aPartitionWrittenAgainAfterItsFileWasClosedStartsANewFile() {
        LakeBatchWriter writer = writer("q10");
        LakeBatch batch = writer.begin(0);
        LakeFileWriter task = LakeFileWriter.open(new LakeTarget(batch.target().table(), "q10-0", 2), 0, 1);
        String[] hours = {"00", "01", "02", "00"};
        for (int i = 0; i < hours.length; i++) {
            Object[] row = values("e-" + i);
            row[1] = Instant.parse("2024-03-01T" + hours[i] + ":10:00Z");
            task.write(LakePartition.of((Instant) row[1]), row);
        }
        List<DataFile> files = task.finish();
        writer.finish(batch, files);
        writer.committer().commitPending();

        assertThat(files).hasSize(4);
        assertThat(files.stream().filter(f -> f.partition().get(1, Integer.class) == 0)).hasSize(2);
        assertThat(read().count()).isEqualTo(4);
    }

    /**
     * The writer keeps the last row's file and the last map's keys for the rows that repeat them (one partition
     * instance per hour, one model's class names): rows that switch hours, reorder or change keys, and outlive
     * their file's eviction read back as written.
     */
    @Test
    void predictionRowsSwitchingHoursAndMapKeysReadBackAsWritten() {
        TableIdentifier predictions = LakeTables.identifier("streamtree", "predictions" + TABLES.incrementAndGet());
        Table predictionsTable = PredictionsTable.ensure(tables, tables.catalog(spark.sparkContext().hadoopConfiguration()),
                predictions);
        LakeBatchWriter writer = LakeBatchWriter.start(predictionsTable, LakeJournal.directory(tables, predictions, "p1"),
                "p1", spark.sparkContext(), NEVER, LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
        writers.add(writer);
        LakeBatch batch = writer.begin(0);
        LakeFileWriter task = LakeFileWriter.open(new LakeTarget(batch.target().table(), "p1-0", 2), 0, 1);
        String a = "A";
        String b = "B";
        String c = "C";
        List<Map<String, Double>> maps = List.of(ordered(a, 0.25, b, 0.75), ordered(a, 0.5, b, 0.5),
                ordered(b, 0.125, a, 0.875), ordered(a, 1.0), ordered(a, 0.25, c, 0.75), ordered(a, 0.0, b, 1.0));
        int[] hours = {0, 0, 1, 2, 0, 0, 1, 3, 3, 0};
        HourPartitions partitions = new HourPartitions();
        Map<String, Row> expected = new HashMap<>();
        for (int i = 0; i < hours.length; i++) {
            Instant time = Instant.parse("2024-03-01T00:10:00Z").plusSeconds(3600L * hours[i]);
            Map<String, Double> probabilities = maps.get(i % maps.size());
            task.write(partitions.of(time), new Object[]{"e-" + i, "v000001", "A", probabilities, 7L, time, time});
            expected.put("e-" + i, RowFactory.create(probabilities, hours[i]));
        }
        List<DataFile> files = task.finish();
        writer.finish(batch, files);
        writer.committer().commitPending();

        assertThat(task.peakOpenFiles()).isEqualTo(2);
        List<Row> read = spark.table(LakeTables.sqlName(predictions))
                .select(PredictionsTable.EVENT_ID, PredictionsTable.PROBABILITIES, "event_hour").collectAsList();
        assertThat(read).hasSize(hours.length);
        for (Row row : read) {
            Row written = expected.get(row.getString(0));
            assertThat(row.<String, Double>getJavaMap(1)).as(row.getString(0)).isEqualTo(written.getAs(0));
            assertThat(row.getInt(2)).as(row.getString(0)).isEqualTo(written.getInt(1));
        }
    }

    private static Map<String, Double> ordered(Object... keysAndValues) {
        Map<String, Double> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], (Double) keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void aRowWithoutItsIdIsRefusedNamingTheColumn() {
        LakeFileWriter files = LakeFileWriter.open(writer("q11").begin(0).target(), 0, 1);
        Object[] row = values("e-1");
        row[0] = null;

        assertThatThrownBy(() -> files.write(new LakePartition("2024-03-01", 0), row))
                .hasMessageContaining("lake column 'id' is null");
        files.abort();
    }

    @Test
    void abortDeletesTheFilesOfAFailedAttempt() {
        LakeFileWriter files = LakeFileWriter.open(writer("q12").begin(0).target(), 0, 1);
        files.write(new LakePartition("2024-03-01", 0), values("e-1"));
        files.write(new LakePartition("2024-03-01", 1), values("e-2"));

        files.abort();

        assertThat(parquetFiles()).isEmpty();
    }

    @Test
    void refusesWriterIdsThatCouldEscapeTheJournalDirectory() {
        assertThatThrownBy(() -> writer("../x")).hasMessageContaining("'../x'");
    }

    /** A committer of {@code writerId}'s journal on the clock {@code now}, started with an hourly interval. */
    private LakeCommitter hourlyCommitter(String writerId, java.util.concurrent.atomic.AtomicLong now) {
        LakeCommitter committer = new LakeCommitter(table, new LakeJournal(journal(writerId), writerId,
                spark.sparkContext().hadoopConfiguration()), writerId, now::get);
        committer.start(Duration.ofHours(1));
        return committer;
    }

    /** The table holds batches 0 and 1 (5 rows each) in one snapshot. */
    private void assertBothBatchesInOneCommit() {
        table.refresh();
        assertThat(table.snapshots()).as("one commit for both batches").hasSize(1);
        assertThat(read().count()).isEqualTo(10);
    }

    /** Waits up to 30 s for {@code committer} to have committed {@code batchId}. */
    private static void awaitCommitted(LakeCommitter committer, long batchId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (committer.lastCommitted() < batchId && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private LakeBatchWriter writer(String writerId) {
        LakeBatchWriter writer = LakeBatchWriter.start(table, journal(writerId), writerId, spark.sparkContext(), NEVER,
                LakeBatchWriter.MAX_OPEN_FILES_PER_TASK);
        writers.add(writer);
        return writer;
    }

    private String journal(String writerId) {
        return LakeJournal.directory(tables, id(), writerId);
    }

    private TableIdentifier id() {
        return id;
    }

    private Table refreshed() {
        table.refresh();
        return table;
    }

    private Dataset<Row> read() {
        return spark.table(LakeTables.sqlName(id));
    }

    private List<String> journalEntries(String writerId) {
        return List.of(journalDir(writerId).toFile().list(
                (dir, name) -> name.startsWith("batch-")));
    }

    private Path journalDir(String writerId) {
        return lake.resolve("_streamtree/journal/streamtree/" + id.name() + "/" + writerId);
    }

    private List<Path> parquetFiles() {
        try (Stream<Path> files = Files.walk(lake.resolve("streamtree").resolve(id.name()))) {
            return files.filter(p -> p.toString().endsWith(".parquet")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One lake row's data columns, event time 2024-03-01T00:10:00Z, no label. */
    private static Object[] values(String id) {
        return new Object[] {id, Instant.parse("2024-03-01T00:10:00Z"), 50000.0, 0.0, 40.0, "1", "2", "3",
                100000.0, 10.0, 2000.0, null};
    }

    /** {@code count} events from id {@code first}; even ids in hour 0, odd in hour 1. */
    private static Dataset<Row> rows(int first, int count) {
        List<Row> rows = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            Instant time = Instant.parse("2024-03-01T00:10:00Z").plusSeconds(3600L * (i % 2));
            LakePartition partition = LakePartition.of(time);
            rows.add(RowFactory.create("e-" + i, Timestamp.from(time), 50000.0, 0.0, 40.0, "1", "2", "3",
                    100000.0, 10.0, 2000.0, i % 3 == 0 ? null : "A", partition.eventDate(), partition.eventHour()));
        }
        return spark.createDataFrame(rows, LakeTable.sparkSchema(SCHEMA));
    }
}
