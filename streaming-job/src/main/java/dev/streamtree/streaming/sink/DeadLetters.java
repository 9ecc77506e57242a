package dev.streamtree.streaming.sink;

import dev.streamtree.common.prediction.DeadLetterHeaders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Dead-letter records: the refused record's key and value bytes unchanged, and headers naming the reason and
 * the source coordinates ({@link DeadLetterHeaders}). Plain Java, run in the task that refused the record.
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

    private DeadLetters() {
    }

    /**
     * The dead letter of one refused record, as a {@link KafkaSink#RECORD_SCHEMA} row.
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
        byte[] kept = value;
        String why = reason;
        if (value != null && value.length > MAX_VALUE_BYTES) {
            kept = Arrays.copyOf(value, PREFIX_BYTES);
            why = reason + " (dead letter holds the first " + PREFIX_BYTES + " of " + value.length + " bytes)";
        }
        Row[] headers = {
                header(DeadLetterHeaders.REASON, why),
                header(DeadLetterHeaders.SOURCE_TOPIC, source),
                header(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(partition)),
                header(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(offset)),
                header(DeadLetterHeaders.FAILED_AT, failedAt.toString())};
        return RowFactory.create(topic, key, kept, headers);
    }

    private static Row header(String name, String text) {
        return RowFactory.create(name, text.getBytes(StandardCharsets.UTF_8));
    }
}
