package dev.streamtree.common.prediction;

import java.util.List;

/**
 * Header names on dead-letter records. The record's key and value are the refused record's original bytes;
 * these headers say why and where it came from (all values UTF-8 text).
 */
public final class DeadLetterHeaders {

    /** One line naming the field and what was wrong with it. */
    public static final String REASON = "streamtree.error.reason";
    /** The topic the record was read from. */
    public static final String SOURCE_TOPIC = "streamtree.source.topic";
    /** Its partition, decimal. */
    public static final String SOURCE_PARTITION = "streamtree.source.partition";
    /** Its offset, decimal. */
    public static final String SOURCE_OFFSET = "streamtree.source.offset";
    /** When the streaming job refused it, ISO-8601. */
    public static final String FAILED_AT = "streamtree.failed.at";

    public static final List<String> ALL = List.of(REASON, SOURCE_TOPIC, SOURCE_PARTITION, SOURCE_OFFSET, FAILED_AT);

    private DeadLetterHeaders() {
    }
}
