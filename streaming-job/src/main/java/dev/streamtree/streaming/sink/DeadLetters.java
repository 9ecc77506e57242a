package dev.streamtree.streaming.sink;

import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.streaming.parse.EventParsing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;

/**
 * Dead-letter records: the refused record's key and value bytes unchanged, and headers naming the reason and
 * the source coordinates ({@link DeadLetterHeaders}).
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

    /** From {@link EventParsing#refused} rows to Kafka rows with key, value and headers. */
    public static Dataset<Row> records(Dataset<Row> refused, Instant failedAt) {
        Column tooLong = length(col("value")).gt(MAX_VALUE_BYTES);
        Column value = when(tooLong, substring(col("value"), 1, PREFIX_BYTES)).otherwise(col("value"));
        Column reason = when(tooLong, concat(col(EventParsing.ERROR), lit(" (dead letter holds the first " + PREFIX_BYTES
                + " of "), length(col("value")).cast("string"), lit(" bytes)"))).otherwise(col(EventParsing.ERROR));
        return refused.select(col("key"), value.as("value"), array(
                header(DeadLetterHeaders.REASON, reason),
                header(DeadLetterHeaders.SOURCE_TOPIC, col("topic")),
                header(DeadLetterHeaders.SOURCE_PARTITION, col("partition").cast("string")),
                header(DeadLetterHeaders.SOURCE_OFFSET, col("offset").cast("string")),
                header(DeadLetterHeaders.FAILED_AT, lit(failedAt.toString()))).as("headers"));
    }

    private static Column header(String name, Column text) {
        return struct(lit(name).as("key"), text.cast("binary").as("value"));
    }
}
