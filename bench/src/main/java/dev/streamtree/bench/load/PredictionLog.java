package dev.streamtree.bench.load;

import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a reader of the predictions topic saw: per event (ids {@code <prefix>-<n>}) the distinct
 * (model version, batch id) pairs that scored it, end-to-end latencies, and when the model version changed.
 * Thread-safe: the reader thread records, the benchmark thread asks.
 *
 * <p>Kept in primitive arrays indexed by event number, a few dozen bytes per event, because the log lives in the
 * JVM it measures: its first form (a set of "version@batch" strings per event in a hash map, and a {@code long[]}
 * per record) held about 300 bytes of small objects per event, which G1 copied between survivor spaces at every
 * young collection until they were old enough to promote. In a 40-swap run at 2,000 events/s (2026-12-05, GC log
 * at debug level, not stored) each young collection copied 44-52 MB of survivors and paused the job for 20-38 ms,
 * Object Copy most of it. The rare events scored in a second (version, batch) keep their extra pairs in a map.
 */
public final class PredictionLog {

    private static final int INITIAL_CAPACITY = 1 << 14;

    /** One (model version, micro-batch) that scored an event; the version by its index in {@link #versions}. */
    private record Scoring(int version, long batchId) {
    }

    private final String prefix;
    private final BitSet seen = new BitSet();
    /** Model versions seen, numbered from 1 in order of first appearance (0 in {@link #firstVersion}: none yet). */
    private final Map<String, Integer> versions = new HashMap<>();
    private int[] firstVersion = new int[INITIAL_CAPACITY];
    private long[] firstBatch = new long[INITIAL_CAPACITY];
    /** Per event scored in more than one (version, batch): its pairs after the first. */
    private final Map<Integer, Set<Scoring>> further = new HashMap<>();
    private long[] sentAt = new long[INITIAL_CAPACITY];
    private long[] latency = new long[INITIAL_CAPACITY];
    private int latencies;
    /** When the reader received each micro-batch's first prediction. */
    private final Map<Long, Long> firstReceived = new HashMap<>();
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
        firstReceived.putIfAbsent(batchId, consumedAt);
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
        int v = versions.computeIfAbsent(version, k -> versions.size() + 1);
        if (n >= firstVersion.length) {
            int capacity = Math.max(n + 1, firstVersion.length * 2);
            firstVersion = Arrays.copyOf(firstVersion, capacity);
            firstBatch = Arrays.copyOf(firstBatch, capacity);
        }
        if (firstVersion[n] == 0) {
            firstVersion[n] = v;
            firstBatch[n] = batchId;
            distinct++;
        } else if ((firstVersion[n] != v || firstBatch[n] != batchId)
                && further.computeIfAbsent(n, k -> new HashSet<>(2)).add(new Scoring(v, batchId))) {
            distinct++;
        }
        if (latencies == sentAt.length) {
            sentAt = Arrays.copyOf(sentAt, latencies * 2);
            latency = Arrays.copyOf(latency, latencies * 2);
        }
        sentAt[latencies] = eventMillis;
        latency[latencies] = consumedAt - eventMillis;
        latencies++;
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
        return further.size();
    }

    /** Records repeating an (event, version, batch) already received: at-least-once redeliveries, removed by de-duplication. */
    public synchronized long redelivered() {
        return latencies - distinct;
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

    /** When the reader received the first prediction of micro-batch {@code batchId}; empty if none. */
    public synchronized OptionalLong firstReceived(long batchId) {
        Long at = firstReceived.get(batchId);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
    }

    /** End-to-end latencies (ms) of predictions for events sent at or after {@code fromMillis}. */
    public synchronized long[] latenciesSince(long fromMillis) {
        long[] out = new long[latencies];
        int count = 0;
        for (int i = 0; i < latencies; i++) {
            if (sentAt[i] >= fromMillis) {
                out[count++] = latency[i];
            }
        }
        return Arrays.copyOf(out, count);
    }
}
