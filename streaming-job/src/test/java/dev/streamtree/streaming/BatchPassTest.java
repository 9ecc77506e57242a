package dev.streamtree.streaming;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.lake.table.HourPartitions;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.ParseCounts;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The pass's per-record routing, without Spark: valid events to the lake file, refused ones to dead letters. */
class BatchPassTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Instant BATCH_TIME = Instant.parse("2024-03-01T06:00:00Z");

    @TempDir
    Path lakeRoot;
    private ParseCounts counts;
    private BatchPass pass;
    private LakeFileWriter lake;
    private HourPartitions partitions;

    /** A pass without a model (no predictions) over one task's lake file. */
    @BeforeEach
    void startPass() {
        counts = new ParseCounts(new LongAccumulator(), new LongAccumulator());
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakeRoot.toUri().toString(), null);
        Table table = SerializableTable.copyOf(tables.ensureEventsTable(tables.catalog(new Configuration()),
                LakeTables.identifier("streamtree", "events"), SCHEMA));
        LakeTarget target = new LakeTarget(() -> table, "w1-7", 4);
        pass = new BatchPass(new EventValidator(SCHEMA), counts, null, target,
                new CollectionAccumulator<>(), "predictions", "events.dlq", BATCH_TIME);
        lake = LakeFileWriter.open(target, 0, 1);
        partitions = new HourPartitions();
    }

    @Test
    void validEventGoesToTheLakeFileAndBadRecordToTheDeadLetterTopicWithoutAModel() {
        String good = new TestEvents(SCHEMA, 1, Instant.parse("2024-03-01T05:30:00Z")).json("e-1", 0);

        Row scored = pass.process(source("e-1", good, 5), lake, partitions);
        Row dead = pass.process(source("e-2", "{\"id\":", 6), lake, partitions);
        List<DataFile> files = lake.finish();

        assertThat(scored).as("no model: no prediction record").isNull();
        assertThat(dead.getString(0)).isEqualTo("events.dlq");
        assertThat(new String((byte[]) dead.get(2), StandardCharsets.UTF_8)).isEqualTo("{\"id\":");
        assertThat(counts.valid().value()).isEqualTo(1);
        assertThat(counts.refused().value()).isEqualTo(1);
        assertThat(files).singleElement().satisfies(file -> {
            assertThat(file.location()).endsWith("/streamtree/events/data/" + new LakePartition("2024-03-01", 5).path()
                    + "/w1-7-0-1-0.parquet");
            assertThat(file.recordCount()).isEqualTo(1);
            assertThat(Files.isRegularFile(Path.of(java.net.URI.create(file.location())))).isTrue();
        });
    }

    @Test
    void validRecordsBecomeLakeRowsAndBadOnesDeadLettersWithTheirBytesAndReason() throws IOException {
        String good = "{\"id\":\"e-1\",\"event_time\":\"2024-03-01T05:30:00.123456Z\",\"salary\":50000,"
                + "\"commission\":0,\"age\":30,\"elevel\":\"2\",\"car\":\"3\",\"zipcode\":4,\"hvalue\":100000,"
                + "\"hyears\":5,\"loan\":1000}";
        byte[] invalidUtf8 = {(byte) 0xC3, (byte) 0x28};

        assertThat(pass.process(source("e-1", good, 0), lake, partitions)).as("no model: no prediction record").isNull();
        List<Row> dead = List.of(
                pass.process(source("e-2", "{\"id\":\"e-2\"", 1), lake, partitions),
                pass.process(source("other", good, 2), lake, partitions),
                pass.process(RowFactory.create("e-4".getBytes(StandardCharsets.UTF_8), invalidUtf8, "events", 0, 3L),
                        lake, partitions),
                pass.process(RowFactory.create("e-5".getBytes(StandardCharsets.UTF_8), null, "events", 0, 4L),
                        lake, partitions));
        List<DataFile> files = lake.finish();

        assertThat(dead).extracting(BatchPassTest::reason).satisfiesExactly(
                reason -> assertThat(reason).startsWith("malformed JSON"),
                reason -> assertThat(reason).isEqualTo("Kafka key 'other' does not match event id 'e-1'"),
                reason -> assertThat(reason).isEqualTo("record is not valid UTF-8"),
                reason -> assertThat(reason).isEqualTo("record has no value (tombstone)"));
        assertThat((byte[]) dead.get(2).get(2)).as("dead letter keeps the original bytes").isEqualTo(invalidUtf8);
        assertThat(counts.valid().value()).isEqualTo(1);
        assertThat(counts.refused().value()).isEqualTo(4);
        assertThat(files).singleElement().extracting(DataFile::recordCount).isEqualTo(1L);
        List<String> columns = LakeTable.columnNames(SCHEMA);
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
                new org.apache.hadoop.fs.Path(files.get(0).location())).build()) {
            Group row = reader.read();
            assertThat(row.getString(columns.get(0), 0)).isEqualTo("e-1");
            assertThat(row.getLong(columns.get(1), 0)).as("event time, epoch micros")
                    .isEqualTo(Instant.parse("2024-03-01T05:30:00.123456Z").toEpochMilli() * 1000 + 456);
            assertThat(row.getDouble(columns.get(2), 0)).isEqualTo(50000.0);
            assertThat(row.getString(columns.get(7), 0)).as("integer category kept as its string").isEqualTo("4");
            assertThat(row.getFieldRepetitionCount(columns.get(11))).as("no label").isZero();
            assertThat(reader.read()).as("one lake row").isNull();
        }
    }

    private static String reason(Row deadLetter) {
        for (Row header : (Row[]) deadLetter.get(3)) {
            if (header.getString(0).equals(DeadLetterHeaders.REASON)) {
                return new String((byte[]) header.get(1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("dead letter without a reason header");
    }

    private static Row source(String key, String value, long offset) {
        return RowFactory.create(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                "events", 0, offset);
    }
}
