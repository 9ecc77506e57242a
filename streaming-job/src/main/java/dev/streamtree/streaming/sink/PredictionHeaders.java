package dev.streamtree.streaming.sink;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The one header a prediction record may carry: {@value #SCORING} = {@value #REAL_TIME} on the predictions of
 * real-time mode, whose lake query lands exactly those in the predictions table (micro-batch predictions carry no
 * header: their batch lands them itself).
 */
public final class PredictionHeaders {

    public static final String SCORING = "streamtree-scoring";
    public static final String REAL_TIME = "real-time";

    private static final byte[] REAL_TIME_BYTES = REAL_TIME.getBytes(StandardCharsets.UTF_8);

    private PredictionHeaders() {
    }

    /** The headers of a real-time prediction, as a {@link KafkaSink#RECORD_SCHEMA} headers value. */
    public static Row[] realTime() {
        return new Row[]{RowFactory.create(SCORING, REAL_TIME_BYTES.clone())};
    }

    /** Whether Kafka source headers (a list of key/value rows, or null) mark a real-time prediction. */
    public static boolean isRealTime(List<Row> headers) {
        if (headers == null) {
            return false;
        }
        for (Row header : headers) {
            if (SCORING.equals(header.getString(0)) && !header.isNullAt(1)
                    && Arrays.equals(REAL_TIME_BYTES, (byte[]) header.get(1))) {
                return true;
            }
        }
        return false;
    }
}
