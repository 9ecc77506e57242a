package dev.streamtree.ingest.tail;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;

/** Renders a consumed record as one line: the value, optionally prefixed by coordinates, key and headers. */
public final class RecordPrinter {

    private RecordPrinter() {
    }

    public static String line(ConsumerRecord<byte[], byte[]> record, boolean withMetadata) {
        String value = record.value() == null ? "null" : new String(record.value(), StandardCharsets.UTF_8);
        if (!withMetadata) {
            return value;
        }
        StringBuilder line = new StringBuilder()
                .append(record.topic()).append('/').append(record.partition()).append('@').append(record.offset())
                .append(" key=").append(record.key() == null ? "null" : new String(record.key(), StandardCharsets.UTF_8));
        for (Header header : record.headers()) {
            line.append(' ').append(header.key()).append('=')
                    .append(header.value() == null ? "null" : new String(header.value(), StandardCharsets.UTF_8));
        }
        return line.append(' ').append(value).toString();
    }
}
