package dev.streamtree.bench.parts;

import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Collects the progress reports of one named streaming query: rows per batch, when each batch started and how
 * long it took, and Spark's per-stage durations (addBatch, getBatch, latestOffset, walCommit, ...).
 */
final class ProgressRecorder extends StreamingQueryListener {

    private final String queryName;
    private final List<StreamingQueryProgress> batches = new ArrayList<>();

    ProgressRecorder(String queryName) {
        this.queryName = queryName;
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
    }

    @Override
    public synchronized void onQueryProgress(QueryProgressEvent event) {
        if (queryName.equals(event.progress().name()) && event.progress().numInputRows() > 0) {
            batches.add(event.progress());
        }
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
    }

    synchronized long rows() {
        return batches.stream().mapToLong(StreamingQueryProgress::numInputRows).sum();
    }

    synchronized int batches() {
        return batches.size();
    }

    /**
     * Rows per second from the start of the first counted batch to the end of the last one. With two or more
     * non-empty batches the first is left out as warm-up (code generation, JIT, connections, model load: on a busy
     * 2-core machine the streaming job's first batch of 50,000 events took 38 s, its second 8 s).
     */
    synchronized double rowsPerSecond() {
        if (batches.isEmpty()) {
            return Double.NaN;
        }
        List<StreamingQueryProgress> counted = batches.size() >= 2 ? batches.subList(1, batches.size()) : batches;
        long first = Instant.parse(counted.get(0).timestamp()).toEpochMilli();
        StreamingQueryProgress lastBatch = counted.get(counted.size() - 1);
        long last = Instant.parse(lastBatch.timestamp()).toEpochMilli() + lastBatch.batchDuration();
        long rows = counted.stream().mapToLong(StreamingQueryProgress::numInputRows).sum();
        return rows * 1000.0 / Math.max(last - first, 1);
    }

    /** Mean milliseconds per batch of each stage Spark reports, plus rows per batch. */
    synchronized Map<String, Double> meanStages() {
        Map<String, Double> sums = new TreeMap<>();
        for (StreamingQueryProgress p : batches) {
            for (Map.Entry<String, Long> e : p.durationMs().entrySet()) {
                sums.merge(e.getKey(), e.getValue().doubleValue(), Double::sum);
            }
            sums.merge("batchDuration", (double) p.batchDuration(), Double::sum);
            sums.merge("rowsPerBatch", (double) p.numInputRows(), Double::sum);
        }
        sums.replaceAll((k, v) -> Math.round(v / batches.size() * 10) / 10.0);
        return sums;
    }
}
