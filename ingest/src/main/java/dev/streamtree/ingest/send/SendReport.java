package dev.streamtree.ingest.send;

import java.time.Duration;
import java.util.List;

/**
 * What a send did.
 *
 * @param read       records read from the input
 * @param sent       records the broker acknowledged
 * @param rejected   records refused by validation (never sent)
 * @param failed     records the broker refused after retries
 * @param rejections the first rejections and failures, in input order (capped; the counts are exact)
 * @param elapsed    wall time of the send, including the final flush
 */
public record SendReport(long read, long sent, long rejected, long failed, List<Rejection> rejections, Duration elapsed) {

    public SendReport {
        rejections = List.copyOf(rejections);
    }

    public boolean complete() {
        return rejected == 0 && failed == 0 && sent == read;
    }

    public double recordsPerSecond() {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return sent / seconds;
    }

    public String summary() {
        return String.format("read %d, sent %d, rejected %d (invalid), failed %d (broker) in %.1f s, %.0f records/s",
                read, sent, rejected, failed, elapsed.toNanos() / 1e9, recordsPerSecond());
    }
}
