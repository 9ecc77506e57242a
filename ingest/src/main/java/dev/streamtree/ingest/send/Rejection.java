package dev.streamtree.ingest.send;

/**
 * A record that was not sent.
 *
 * @param origin where it came from ("events.jsonl:12")
 * @param reason why: a validation failure, or the broker's error after retries
 */
public record Rejection(String origin, String reason) {

    @Override
    public String toString() {
        return origin + ": " + reason;
    }
}
