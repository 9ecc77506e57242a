package dev.streamtree.lake.table;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.catalog.LocalSparkCatalog;
import dev.streamtree.testing.TestSpark;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LakeBatchWriterTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static SparkSession spark;

    @TempDir
    Path lake;

    @BeforeAll
    static void startSpark() {
        spark = TestSpark.local("LakeBatchWriterTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void committedBatchIsReadableOnceThroughTheCatalogAndItsReplayWritesNothing() {
        LakeBatchWriter writer = writer("q1");
        LocalSparkCatalog catalog = new LocalSparkCatalog(spark, "lake_test", "replay");
        catalog.ensureTable(SCHEMA, writer.location());

        LakeCommit first = LakeBatches.write(writer, rows(0, 30), 0);
        catalog.addPartitions(first.partitions());
        LakeCommit replay = LakeBatches.write(writer, rows(0, 30), 0);
        catalog.addPartitions(replay.partitions());

        assertThat(first.replayed()).isFalse();
        assertThat(first.partitions()).containsExactly(new LakePartition("2024-03-01", 0), new LakePartition("2024-03-01", 1));
        assertThat(replay.replayed()).isTrue();
        assertThat(replay.partitions()).isEqualTo(first.partitions());
        assertThat(spark.table(catalog.tableName()).count()).isEqualTo(30);
        assertThat(spark.table(catalog.tableName()).select("id").distinct().count()).isEqualTo(30);
    }

    @Test
    void interruptedAttemptIsReplacedRatherThanDuplicated() throws IOException {
        LakeBatchWriter writer = writer("q2");
        LakeCommit first = LakeBatches.write(writer, rows(100, 20), 5);
        // A crash after the files moved but before the marker: the replay must not add a second copy.
        Files.delete(Path.of(writer.commitMarker(5).toUri()));
        LakeCommit second = LakeBatches.write(writer, rows(100, 20), 5);
        LakeCommit next = LakeBatches.write(writer, rows(200, 10), 6);

        LocalSparkCatalog catalog = new LocalSparkCatalog(spark, "lake_test", "interrupted");
        catalog.ensureTable(SCHEMA, writer.location());

        assertThat(second.replayed()).isFalse();
        assertThat(second.files()).isEqualTo(first.files());
        assertThat(spark.table(catalog.tableName()).count()).isEqualTo(30);
        try (Stream<Path> files = Files.walk(lake)) {
            assertThat(files.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_streamtree"))
                    .map(p -> p.getFileName().toString()))
                    .allMatch(name -> name.matches("batch-[56]-\\d+-q2\\.parquet"))
                    .hasSize(first.files() + next.files());
        }
    }

    @Test
    void filesAddedToRegisteredPartitionsAreVisibleToTheSessionAfterAddPartitions() {
        LakeBatchWriter writer = writer("q6");
        LocalSparkCatalog catalog = new LocalSparkCatalog(spark, "lake_test", "growing");
        catalog.ensureTable(SCHEMA, writer.location());
        catalog.addPartitions(LakeBatches.write(writer, rows(0, 10), 0).partitions());
        assertThat(spark.table(catalog.tableName()).count()).isEqualTo(10);

        catalog.addPartitions(LakeBatches.write(writer, rows(10, 10), 1).partitions());

        assertThat(spark.table(catalog.tableName()).count()).isEqualTo(20);
        assertThat(spark.table(catalog.tableName()).where("event_hour = 1").count()).isEqualTo(10);
    }

    @Test
    void restartedWriterFindsWhatAnEarlierRunLeftOfItsFirstBatch() throws IOException {
        LakeBatchWriter crashed = writer("q4");
        LakeBatches.write(crashed, rows(300, 10), 0);
        LakeCommit interrupted = LakeBatches.write(crashed, rows(400, 10), 1);
        // The earlier run crashed after batch 1's files moved, before its marker; batch 0 was committed.
        Files.delete(Path.of(crashed.commitMarker(1).toUri()));

        LakeBatchWriter restarted = writer("q4");
        LakeCommit replayedCommitted = LakeBatches.write(restarted, rows(300, 10), 0);
        LakeBatchWriter restartedLater = writer("q4");
        LakeCommit replayedInterrupted = LakeBatches.write(restartedLater, rows(400, 10), 1);
        LakeCommit next = LakeBatches.write(restartedLater, rows(500, 10), 2);

        LocalSparkCatalog catalog = new LocalSparkCatalog(spark, "lake_test", "restarted");
        catalog.ensureTable(SCHEMA, writer("q4").location());

        assertThat(replayedCommitted.replayed()).isTrue();
        assertThat(replayedInterrupted.replayed()).isFalse();
        assertThat(replayedInterrupted.files()).isEqualTo(interrupted.files());
        assertThat(next.replayed()).isFalse();
        assertThat(spark.table(catalog.tableName()).count()).isEqualTo(30);
        assertThat(spark.table(catalog.tableName()).select("id").distinct().count()).isEqualTo(30);
    }

    @Test
    void stagingLeavesNothingBehindButTheMarkers() throws IOException {
        LakeBatchWriter writer = writer("q5");
        LakeBatches.write(writer, rows(0, 10), 0);
        LakeBatches.write(writer, rows(10, 10), 1);

        try (Stream<Path> files = Files.walk(lake.resolve(LakeBatchWriter.BOOKKEEPING_DIR))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> lake.relativize(p).toString())
                    .filter(name -> !name.endsWith(".crc")))
                    .containsExactlyInAnyOrder("_streamtree/commits/q5/batch-0.json", "_streamtree/commits/q5/batch-1.json");
        }
    }

    @Test
    void ensureTableRecoversPartitionsWrittenBeforeTheTableExisted() {
        LakeBatchWriter writer = writer("q3");
        LakeBatches.write(writer, rows(0, 12), 0);
        LakeBatches.write(writer, rows(50, 12), 1);

        LocalSparkCatalog catalog = new LocalSparkCatalog(spark, "lake_test", "recovered");
        catalog.ensureTable(SCHEMA, lake.toString());

        Dataset<Row> table = spark.table(catalog.tableName());
        assertThat(table.count()).isEqualTo(24);
        assertThat(List.of(table.columns())).containsExactlyElementsOf(LakeTable.columnNames(SCHEMA));
        assertThat(table.where("event_hour = 1").count()).isEqualTo(12);
    }

    @Test
    void lakeFilesUseDictionaryEncodingOnlyForCategoricalColumns() throws IOException {
        LakeBatchWriter writer = writer("q4");
        LakeBatches.write(writer, rows(0, 40), 0);
        Path file;
        try (Stream<Path> files = Files.walk(lake)) {
            file = files.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_streamtree"))
                    .findFirst().orElseThrow();
        }
        Map<String, Set<Encoding>> encodings = new HashMap<>();
        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(file.toUri()), spark.sparkContext().hadoopConfiguration()))) {
            for (ColumnChunkMetaData column : reader.getFooter().getBlocks().get(0).getColumns()) {
                encodings.put(column.getPath().toDotString(), column.getEncodings());
            }
        }
        assertThat(encodings.get("elevel")).as("categorical").anyMatch(Encoding::usesDictionary);
        assertThat(encodings.get(SCHEMA.label().name())).as("label").anyMatch(Encoding::usesDictionary);
        assertThat(encodings.get("id")).as("id").noneMatch(Encoding::usesDictionary);
        assertThat(encodings.get("salary")).as("numeric").noneMatch(Encoding::usesDictionary);
    }

    @Test
    void sparkReadsEveryValueOfTheTaskWrittenFilesAsWritten() {
        LakeBatchWriter writer = writer("q7");
        Dataset<Row> written = rows(0, 12);
        LakeBatches.write(writer, written, 0);

        Dataset<Row> read = spark.read().schema(LakeTable.sparkSchema(SCHEMA)).parquet(lake.toString());

        assertThat(read.orderBy("id").collectAsList()).isEqualTo(written.orderBy("id").collectAsList());
        assertThat(read.where(SCHEMA.label().name() + " IS NULL").count()).isEqualTo(4);
    }

    @Test
    void commitMovesOnlyTheFilesOfAttemptsThatSucceeded() throws IOException {
        LakeBatchWriter writer = writer("q8");
        LakeBatch batch = writer.begin(0);
        LakePartition hour = new LakePartition("2024-03-01", 0);
        LakeFileWriter succeeded = LakeFileWriter.open(batch.staging(), 0, 11);
        succeeded.write(hour, values("e-1"));
        LakeFileWriter failed = LakeFileWriter.open(batch.staging(), 0, 10);
        failed.write(hour, values("e-1"));
        failed.finish();
        LakeFileWriter aborted = LakeFileWriter.open(batch.staging(), 1, 12);
        aborted.write(hour, values("e-2"));
        aborted.abort();

        LakeCommit commit = writer.commit(batch, succeeded.finish());

        assertThat(commit.files()).isEqualTo(1);
        assertThat(spark.read().schema(LakeTable.sparkSchema(SCHEMA)).parquet(lake.toString())
                .select("id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("e-1");
        assertThat(Files.exists(lake.resolve(LakeBatchWriter.BOOKKEEPING_DIR).resolve("staging/q8/batch-0")))
                .as("staging, with the failed attempt's file, removed").isFalse();
        assertThat(writer.begin(0).alreadyCommitted()).isTrue();
    }

    @Test
    void taskWrittenFilesStoreTheEventTimeAsUtcMicros() throws IOException {
        LakeBatchWriter writer = writer("q9");
        LakeBatch batch = writer.begin(0);
        LakeFileWriter files = LakeFileWriter.open(batch.staging(), 0, 1);
        files.write(new LakePartition("2024-03-01", 0), values("e-1"));
        String written = files.finish().get(0);

        try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
                new org.apache.hadoop.fs.Path(batch.staging().directory(), written), spark.sparkContext().hadoopConfiguration()))) {
            var time = reader.getFooter().getFileMetaData().getSchema().getType(SCHEMA.eventTimeField());
            assertThat(time.getLogicalTypeAnnotation()).hasToString("TIMESTAMP(MICROS,true)");
            assertThat(reader.getFooter().getFileMetaData().getKeyValueMetaData())
                    .containsEntry(LakeFileWriter.SPARK_VERSION_KEY, spark.version());
        }
        assertThat(written).isEqualTo("event_date=2024-03-01/event_hour=0/part-0-1.parquet");
    }

    @Test
    void aRowWithoutItsIdIsRefusedNamingTheColumn() {
        LakeFileWriter files = LakeFileWriter.open(writer("q10").begin(0).staging(), 0, 1);
        Object[] row = values("e-1");
        row[0] = null;

        assertThatThrownBy(() -> files.write(new LakePartition("2024-03-01", 0), row))
                .hasMessageContaining("lake column 'id' is null");
        files.abort();
    }

    @Test
    void refusesWriterIdsThatCouldEscapeTheBookkeepingDirectory() {
        assertThatThrownBy(() -> writer("../x")).hasMessageContaining("'../x'");
        assertThatThrownBy(() -> new LocalSparkCatalog(spark, "bad-name", "t")).hasMessageContaining("'bad-name'");
    }

    private LakeBatchWriter writer(String id) {
        return new LakeBatchWriter(lake.toString(), id, spark.sparkContext(), Clock.systemUTC(),
                SCHEMA);
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
