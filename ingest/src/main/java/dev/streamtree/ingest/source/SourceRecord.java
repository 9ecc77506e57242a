package dev.streamtree.ingest.source;

import java.nio.charset.StandardCharsets;

/**
 * One record read from an input, before validation.
 *
 * @param origin  where it came from, for error messages ("events.jsonl:12", "stdin:3")
 * @param value   the record's bytes exactly as read (UTF-8 JSON when well formed), or null when the input
 *                could not be read as a record
 * @param problem why the input could not be read as a record, or null
 */
public record SourceRecord(String origin, byte[] value, String problem) {

    public static SourceRecord of(String origin, byte[] value) {
        return new SourceRecord(origin, value, null);
    }

    public static SourceRecord of(String origin, String json) {
        return new SourceRecord(origin, json.getBytes(StandardCharsets.UTF_8), null);
    }

    public static SourceRecord unreadable(String origin, String problem) {
        return new SourceRecord(origin, null, problem);
    }
}
