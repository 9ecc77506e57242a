package dev.streamtree.bench.parts;

import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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

    /** When batch {@code batchId} of the query started (Spark's progress timestamp), if it has reported with rows. */
    synchronized OptionalLong startMillis(long batchId) {
        return batches.stream().filter(p -> p.batchId() == batchId)
                .mapToLong(p -> Instant.parse(p.timestamp()).toEpochMilli()).findFirst();
    }

    synchronized long rows() {
        return batches.stream().mapToLong(StreamingQueryProgress::numInputRows).sum();
    }

    synchronized int batches() {
        return batches.size();
    }

    /** The non-empty batches so far: start, duration, rows. */
    synchronized BatchTimeline timeline() {
        return new BatchTimeline(batches.stream()
                .map(p -> new BatchTimeline.Batch(Instant.parse(p.timestamp()).toEpochMilli(), p.batchDuration(),
                        p.numInputRows()))
                .toList());
    }

    /**
     * Mean milliseconds per batch of each stage Spark reports, plus rows per batch, over all non-empty batches: the
     * warm-up batch and a partial last batch, which {@link BatchTimeline#rowsPerSecond()} leaves out, are included here.
     */
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
