package dev.streamtree.bench.load;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a reader of the predictions topic saw: per event (ids {@code <prefix>-<n>}) the distinct
 * (model version, batch id) pairs that scored it, end-to-end latencies, and when the model version changed.
 * Thread-safe: the reader thread records, the benchmark thread asks.
 */
public final class PredictionLog {

    private final String prefix;
    private final BitSet seen = new BitSet();
    private final Map<Integer, Set<String>> scorings = new HashMap<>();
    private final List<long[]> latencies = new ArrayList<>();
    private long records;
    private long distinct;
    private String version;
    private long versionSince;
    private long versionBatch = -1;

    public PredictionLog(String prefix) {
        this.prefix = prefix + "-";
    }

    /**
     * One prediction record.
     *
     * @param eventId     its event id
     * @param version     the model version that scored it
     * @param batchId     the micro-batch that scored it
     * @param eventMillis the event's time (set by the producer when it sent the event)
     * @param consumedAt  when the reader received the prediction
     */
    public synchronized void record(String eventId, String version, long batchId, long eventMillis, long consumedAt) {
        records++;
        if (!version.equals(this.version)) {
            this.version = version;
            this.versionSince = consumedAt;
            this.versionBatch = batchId;
        }
        if (!eventId.startsWith(prefix)) {
            return;
        }
        int n = Integer.parseInt(eventId.substring(prefix.length()));
        seen.set(n);
        if (scorings.computeIfAbsent(n, k -> new HashSet<>(2)).add(version + "@" + batchId)) {
            distinct++;
        }
        latencies.add(new long[] {eventMillis, consumedAt - eventMillis});
    }

    /** Prediction records received, redeliveries included. */
    public synchronized long records() {
        return records;
    }

    /** Events of ids 0..sent-1 with at least one prediction. */
    public synchronized int covered(long sent) {
        return seen.get(0, (int) sent).cardinality();
    }

    /** Events scored in more than one (version, batch): scored twice, which must not happen. */
    public synchronized long scoredTwice() {
        return scorings.values().stream().filter(s -> s.size() > 1).count();
    }

    /** Records repeating an (event, version, batch) already received: at-least-once redeliveries, removed by de-duplication. */
    public synchronized long redelivered() {
        return latencies.size() - distinct;
    }

    /** The version of the latest record and since when (reader's clock, ms) records carried it. */
    public synchronized String version() {
        return version;
    }

    public synchronized long versionSince() {
        return versionSince;
    }

    /** The micro-batch of the first prediction received from the current version; -1 before any. */
    public synchronized long versionBatch() {
        return versionBatch;
    }

    /** End-to-end latencies (ms) of predictions for events sent at or after {@code fromMillis}. */
    public synchronized long[] latenciesSince(long fromMillis) {
        return latencies.stream().filter(l -> l[0] >= fromMillis).mapToLong(l -> l[1]).toArray();
    }
}
