package dev.streamtree.streaming.sink;

import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.streaming.parse.EventParsing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.Instant;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;

/**
 * Dead-letter records: the refused record's key and value bytes unchanged, and headers naming the reason and
 * the source coordinates ({@link DeadLetterHeaders}).
 */
public final class DeadLetters {

    private DeadLetters() {
    }

    /** From {@link EventParsing#refused} rows to Kafka rows with key, value and headers. */
    public static Dataset<Row> records(Dataset<Row> refused, Instant failedAt) {
        return refused.select(col("key"), col("value"), array(
                header(DeadLetterHeaders.REASON, col(EventParsing.ERROR)),
                header(DeadLetterHeaders.SOURCE_TOPIC, col("topic")),
                header(DeadLetterHeaders.SOURCE_PARTITION, col("partition").cast("string")),
                header(DeadLetterHeaders.SOURCE_OFFSET, col("offset").cast("string")),
                header(DeadLetterHeaders.FAILED_AT, lit(failedAt.toString()))).as("headers"));
    }

    private static Column header(String name, Column text) {
        return struct(lit(name).as("key"), text.cast("binary").as("value"));
    }
}
