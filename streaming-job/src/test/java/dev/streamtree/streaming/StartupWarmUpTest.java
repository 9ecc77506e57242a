package dev.streamtree.streaming;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeFileWriter;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.lake.table.LakeTarget;
import dev.streamtree.streaming.parse.ParseCounts;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.SerializableTable;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.unsafe.types.UTF8String;
import org.apache.spark.util.CollectionAccumulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up warm-up's synthetic records, without Spark: each one a valid event of the schema, so the warm-up runs
 * the pass's whole path for a valid event (validation, the lake file), spread over both tasks, the same on each call.
 */
class StartupWarmUpTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final Instant END = Instant.parse("2026-12-03T17:00:00Z");

    @TempDir
    Path lakeRoot;

    @Test
    void everyRecordIsAValidEventThatReachesTheLakeFile() {
        List<Row> records = StartupWarmUp.records(SCHEMA, END);
        ParseCounts counts = ParseCounts.unregistered();
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakeRoot.toUri().toString(), null);
        Table table = SerializableTable.copyOf(tables.ensureEventsTable(tables.catalog(new Configuration()),
                LakeTables.identifier("streamtree", "events"), SCHEMA));
        LakeTarget target = new LakeTarget(() -> table, "warm-up-test", 4);
        BatchPass pass = new BatchPass(new EventValidator(SCHEMA), counts, null, target, new CollectionAccumulator<>(),
                "predictions", "events.dlq", END);
        LakeFileWriter lake = LakeFileWriter.open(target, 0, 1);
        BatchPass.Task task = pass.new Task(lake, null);

        List<ProducerRecord<byte[], byte[]>> out = records.stream().map(record -> task.process(new GenericInternalRow(new Object[]{
                record.get(0), record.get(1), UTF8String.fromString(record.getString(2)), record.getInt(3),
                record.getLong(4)}))).toList();
        List<DataFile> files = lake.finish();

        assertThat(records).hasSize(StartupWarmUp.EVENTS_PER_PARTITION * 2);
        assertThat(counts.refused().value()).as("refused synthetic records").isZero();
        assertThat(counts.valid().value()).isEqualTo(records.size());
        assertThat(out).as("no model: no prediction, and no dead letter").allMatch(row -> row == null);
        assertThat(files.stream().mapToLong(DataFile::recordCount).sum()).isEqualTo(records.size());
        Set<Integer> partitionsUsed = records.stream().map(r -> r.getInt(3)).collect(Collectors.toSet());
        assertThat(partitionsUsed).containsExactlyInAnyOrder(0, 1);
        assertThat(StartupWarmUp.records(SCHEMA, END)).as("seeded").isEqualTo(records);
    }
}
