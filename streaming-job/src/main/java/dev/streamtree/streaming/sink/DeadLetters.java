package dev.streamtree.streaming.sink;

import dev.streamtree.common.prediction.DeadLetterHeaders;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Dead-letter records: the refused record's key and value bytes unchanged, and headers naming the reason and
 * the source coordinates ({@link DeadLetterHeaders}), as a Spark row or a producer record. Plain Java, run in the task
 * that refused the record.
 *
 * <p>One exception keeps a single huge record from failing the query forever (Kafka producers refuse records over
 * {@code max.request.size}, 1 MiB by default, so every replay of the batch would fail again): a value longer than
 * {@value #MAX_VALUE_BYTES} bytes is cut to its first {@value #PREFIX_BYTES} bytes, and the reason says so.
 */
public final class DeadLetters {

    /** Longest value a dead letter carries unchanged. */
    public static final int MAX_VALUE_BYTES = 1_000_000;
    /** How much of a longer value a dead letter keeps. */
    public static final int PREFIX_BYTES = 65_536;
    /** The headers a dead letter carries, in this order. */
    private static final String[] HEADER_NAMES = {DeadLetterHeaders.REASON, DeadLetterHeaders.SOURCE_TOPIC,
            DeadLetterHeaders.SOURCE_PARTITION, DeadLetterHeaders.SOURCE_OFFSET, DeadLetterHeaders.FAILED_AT};

    private DeadLetters() {
    }

    /**
     * The dead letter of one refused record, as a {@link KafkaSink#RECORD_SCHEMA} row (for Spark's Kafka sink).
     *
     * @param topic       the dead-letter topic
     * @param key         the refused record's key bytes (may be null)
     * @param value       its value bytes (may be null: a tombstone)
     * @param reason      why it was refused
     * @param source      the topic it was read from
     * @param partition   its partition there
     * @param offset      its offset there
     * @param failedAt    when its batch ran
     */
    public static Row record(String topic, byte[] key, byte[] value, String reason, String source, int partition,
                             long offset, Instant failedAt) {
        Letter letter = letter(value, reason, source, partition, offset, failedAt);
        Row[] headers = new Row[letter.headers().length];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = RowFactory.create(HEADER_NAMES[i], letter.headers()[i]);
        }
        return RowFactory.create(topic, key, letter.value(), headers);
    }

    /** The same dead letter as {@link #record}, as a producer record (for a task's own producer, {@link RecordSender}). */
    public static ProducerRecord<byte[], byte[]> producerRecord(String topic, byte[] key, byte[] value, String reason,
                                                                String source, int partition, long offset,
                                                                Instant failedAt) {
        Letter letter = letter(value, reason, source, partition, offset, failedAt);
        List<Header> headers = new ArrayList<>(letter.headers().length);
        for (int i = 0; i < letter.headers().length; i++) {
            headers.add(new RecordHeader(HEADER_NAMES[i], letter.headers()[i]));
        }
        return new ProducerRecord<>(topic, null, key, letter.value(), headers);
    }

    /** A dead letter's value (cut when too long) and its header values, in {@link #HEADER_NAMES}' order. */
    private record Letter(byte[] value, byte[][] headers) {
    }

    private static Letter letter(byte[] value, String reason, String source, int partition, long offset,
                                 Instant failedAt) {
        byte[] kept = value;
        String why = reason;
        if (value != null && value.length > MAX_VALUE_BYTES) {
            kept = Arrays.copyOf(value, PREFIX_BYTES);
            why = reason + " (dead letter holds the first " + PREFIX_BYTES + " of " + value.length + " bytes)";
        }
        return new Letter(kept, new byte[][]{utf8(why), utf8(source), utf8(Integer.toString(partition)),
                utf8(Long.toString(offset)), utf8(failedAt.toString())});
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
