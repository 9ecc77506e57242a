package dev.streamtree.streaming.parse;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.streaming.KafkaRecords;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EventParsingTest {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final String GOOD = "{\"id\":\"e-1\",\"event_time\":\"2024-03-01T05:30:00.123456Z\",\"salary\":50000,"
            + "\"commission\":0,\"age\":30,\"elevel\":\"2\",\"car\":\"3\",\"zipcode\":4,\"hvalue\":100000,"
            + "\"hyears\":5,\"loan\":1000}";
    private static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("EventParsingTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void validRecordsBecomeLakeRowsAndBadOnesKeepTheirBytesAndReason() {
        byte[] invalidUtf8 = {(byte) 0xC3, (byte) 0x28};
        Dataset<Row> parsed = EventParsing.parse(kafkaRows(List.of(
                record("e-1", GOOD.getBytes(StandardCharsets.UTF_8), 0),
                record("e-2", "{\"id\":\"e-2\"".getBytes(StandardCharsets.UTF_8), 1),
                record("other", GOOD.getBytes(StandardCharsets.UTF_8), 2),
                record("e-4", invalidUtf8, 3),
                record("e-5", null, 4))), new EventValidator(SCHEMA)).cache();

        List<Row> valid = EventParsing.valid(parsed, SCHEMA).collectAsList();
        assertThat(valid).hasSize(1);
        Row row = valid.get(0);
        assertThat(List.of(row.schema().fieldNames())).containsExactlyElementsOf(LakeTable.columnNames(SCHEMA));
        assertThat(row.getString(0)).isEqualTo("e-1");
        assertThat(((Timestamp) row.get(1)).toInstant()).isEqualTo(Instant.parse("2024-03-01T05:30:00.123456Z"));
        assertThat(row.getDouble(2)).isEqualTo(50000.0);
        assertThat(row.getString(7)).as("integer category kept as its string").isEqualTo("4");
        assertThat(row.isNullAt(11)).as("no label").isTrue();
        assertThat(row.getString(12)).isEqualTo("2024-03-01");
        assertThat(row.getInt(13)).isEqualTo(5);

        List<Row> refused = EventParsing.refused(parsed).orderBy("offset").collectAsList();
        assertThat(refused).extracting(r -> r.getString(5)).satisfiesExactly(
                reason -> assertThat(reason).startsWith("malformed JSON"),
                reason -> assertThat(reason).isEqualTo("Kafka key 'other' does not match event id 'e-1'"),
                reason -> assertThat(reason).isEqualTo("record is not valid UTF-8"),
                reason -> assertThat(reason).isEqualTo("record has no value (tombstone)"));
        assertThat((byte[]) refused.get(2).get(1)).isEqualTo(invalidUtf8);
    }

    private static Row record(String key, byte[] value, long offset) {
        return RowFactory.create(key.getBytes(StandardCharsets.UTF_8), value, "events", 0, offset);
    }

    private static Dataset<Row> kafkaRows(List<Row> rows) {
        return KafkaRecords.sourceRows(spark, rows);
    }
}
