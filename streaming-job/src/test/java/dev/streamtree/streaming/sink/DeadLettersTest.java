package dev.streamtree.streaming.sink;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLettersTest {

    private static final Instant FAILED_AT = Instant.parse("2024-01-01T00:00:00Z");

    @Test
    void deadLetterCarriesOriginalBytesTopicAndHeaders() {
        byte[] value = "not json".getBytes(StandardCharsets.UTF_8);

        Row dead = DeadLetters.record("events.dlq", "k".getBytes(StandardCharsets.UTF_8), value,
                "malformed JSON: boom", "events", 3, 42, FAILED_AT);

        assertThat(dead.getString(0)).isEqualTo("events.dlq");
        assertThat(new String((byte[]) dead.get(1), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat((byte[]) dead.get(2)).isEqualTo(value);
        assertThat(headers(dead)).containsExactly(
                Map.entry("streamtree.error.reason", "malformed JSON: boom"),
                Map.entry("streamtree.source.topic", "events"),
                Map.entry("streamtree.source.partition", "3"),
                Map.entry("streamtree.source.offset", "42"),
                Map.entry("streamtree.failed.at", "2024-01-01T00:00:00Z"));
    }

    @Test
    void tombstoneKeepsItsNullKeyAndValue() {
        Row dead = DeadLetters.record("dlq", null, null, "record has no value (tombstone)", "events", 0, 7, FAILED_AT);

        assertThat(dead.isNullAt(1)).isTrue();
        assertThat(dead.isNullAt(2)).isTrue();
        assertThat(headers(dead)).containsEntry("streamtree.error.reason", "record has no value (tombstone)");
    }

    @Test
    void valueOverTheLimitIsCutToItsPrefixAndTheReasonSaysSo() {
        byte[] huge = new byte[DeadLetters.MAX_VALUE_BYTES + 1];
        huge[0] = 'x';
        byte[] atLimit = new byte[DeadLetters.MAX_VALUE_BYTES];

        Row cut = DeadLetters.record("dlq", null, huge, "record is too large", "events", 0, 1, FAILED_AT);
        Row kept = DeadLetters.record("dlq", null, atLimit, "record is too large", "events", 0, 2, FAILED_AT);

        assertThat((byte[]) cut.get(2)).hasSize(DeadLetters.PREFIX_BYTES).startsWith((byte) 'x');
        assertThat(headers(cut)).containsEntry("streamtree.error.reason", "record is too large (dead letter holds the first "
                + DeadLetters.PREFIX_BYTES + " of " + huge.length + " bytes)");
        assertThat((byte[]) kept.get(2)).hasSize(DeadLetters.MAX_VALUE_BYTES);
        assertThat(headers(kept)).containsEntry("streamtree.error.reason", "record is too large");
    }

    @Test
    void theProducerRecordFormCarriesWhatTheRowFormCarries() {
        byte[] huge = new byte[DeadLetters.MAX_VALUE_BYTES + 1];
        for (byte[] value : new byte[][]{"not json".getBytes(StandardCharsets.UTF_8), null, huge}) {
            Row row = DeadLetters.record("dlq", "k".getBytes(StandardCharsets.UTF_8), value, "why", "events", 1, 9,
                    FAILED_AT);
            ProducerRecord<byte[], byte[]> record = DeadLetters.producerRecord("dlq", "k".getBytes(StandardCharsets.UTF_8),
                    value, "why", "events", 1, 9, FAILED_AT);

            assertThat(record.topic()).isEqualTo(row.getString(0));
            assertThat(record.partition()).as("the producer's partitioner places it, as Spark's sink does").isNull();
            assertThat(record.key()).isEqualTo((byte[]) row.get(1));
            assertThat(record.value()).isEqualTo((byte[]) row.get(2));
            Map<String, String> headers = new LinkedHashMap<>();
            for (Header header : record.headers()) {
                headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
            assertThat(headers).containsExactlyEntriesOf(headers(row));
        }
    }

    private static Map<String, String> headers(Row record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Row header : (Row[]) record.get(3)) {
            headers.put(header.getString(0), new String((byte[]) header.get(1), StandardCharsets.UTF_8));
        }
        return headers;
    }
}
