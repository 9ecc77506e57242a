package dev.streamtree.streaming;

import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.EventParsing;
import dev.streamtree.streaming.parse.ParseCounts;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.CollectionAccumulator;
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

    /** A pass without a model (no predictions) over one task's lake file. */
    @BeforeEach
    void startPass() {
        counts = ParseCounts.unregistered();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakeRoot.toUri().toString(), null);
        Table table = SerializableTable.copyOf(tables.ensureEventsTable(tables.catalog(new Configuration()),
                LakeTables.identifier("streamtree", "events"), SCHEMA));
        LakeTarget target = new LakeTarget(() -> table, "w1-7", 4);
        pass = new BatchPass(new EventValidator(SCHEMA), counts, null, target,
                new CollectionAccumulator<>(), "predictions", "events.dlq", BATCH_TIME);
        lake = LakeFileWriter.open(target, 0, 1);
    }

    @Test
    void validEventGoesToTheLakeFileAndBadRecordToTheDeadLetterTopicWithoutAModel() {
        String good = new TestEvents(SCHEMA, 1, Instant.parse("2024-03-01T05:30:00Z")).json("e-1", 0);

        BatchPass.Task task = pass.new Task(lake, null);
        ProducerRecord<byte[], byte[]> scored = task.process(source("e-1", good, 5));
        ProducerRecord<byte[], byte[]> dead = task.process(source("e-2", "{\"id\":", 6));
        List<DataFile> files = lake.finish();

        assertThat(scored).as("no model: no prediction record").isNull();
        assertThat(dead.topic()).isEqualTo("events.dlq");
        assertThat(new String(dead.value(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":");
        assertThat(reason(dead)).startsWith("malformed JSON");
        assertThat(header(dead, DeadLetterHeaders.SOURCE_TOPIC)).isEqualTo("events");
        assertThat(header(dead, DeadLetterHeaders.SOURCE_OFFSET)).isEqualTo("6");
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

        BatchPass.Task task = pass.new Task(lake, null);
        assertThat(task.process(source("e-1", good, 0))).as("no model: no prediction record").isNull();
        List<ProducerRecord<byte[], byte[]>> dead = List.of(
                task.process(source("e-2", "{\"id\":\"e-2\"", 1)),
                task.process(source("other", good, 2)),
                task.process(source("e-4".getBytes(StandardCharsets.UTF_8), invalidUtf8, 3)),
                task.process(source("e-5".getBytes(StandardCharsets.UTF_8), null, 4)));
        List<DataFile> files = lake.finish();

        assertThat(dead).extracting(BatchPassTest::reason).satisfiesExactly(
                reason -> assertThat(reason).startsWith("malformed JSON"),
                reason -> assertThat(reason).isEqualTo("Kafka key 'other' does not match event id 'e-1'"),
                reason -> assertThat(reason).isEqualTo("record is not valid UTF-8"),
                reason -> assertThat(reason).isEqualTo("record has no value (tombstone)"));
        assertThat(dead.get(2).value()).as("dead letter keeps the original bytes").isEqualTo(invalidUtf8);
        assertThat(dead.get(3).value()).as("a tombstone's dead letter has no value").isNull();
        assertThat(counts.valid().value()).isEqualTo(1);
        assertThat(counts.refused().value()).isEqualTo(4);
        assertThat(counts.refusedByReason()).as("dead letters by kind, the metrics' reason label")
                .containsExactlyEntriesOf(new java.util.TreeMap<>(java.util.Map.of("encoding", 1L, "id", 1L, "json", 1L,
                        "tombstone", 1L)));
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

    private static String reason(ProducerRecord<byte[], byte[]> deadLetter) {
        return header(deadLetter, DeadLetterHeaders.REASON);
    }

    private static String header(ProducerRecord<byte[], byte[]> deadLetter, String name) {
        Header header = deadLetter.headers().lastHeader(name);
        if (header == null) {
            throw new AssertionError("dead letter without a " + name + " header");
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A source record as the pass reads it: Spark's internal row of {@link EventParsing#SOURCE_COLUMNS}. */
    private static InternalRow source(String key, String value, long offset) {
        return source(key.getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8), offset);
    }

    private static InternalRow source(byte[] key, byte[] value, long offset) {
        return new GenericInternalRow(new Object[]{key, value, UTF8String.fromString("events"), 0, offset});
    }
}
