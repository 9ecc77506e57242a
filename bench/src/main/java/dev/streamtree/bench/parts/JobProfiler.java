package dev.streamtree.bench.parts;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a micro-batch's time goes inside {@code addBatch}: wall time of every Spark job, summed by its position in
 * its micro-batch (job 1, job 2, ...; a streaming query's jobs all carry the query's start as call site, but every
 * batch runs the same sequence) and its last stage's name. The rest of {@code addBatch} is driver-side work
 * outside Spark jobs (file moves, catalog calls, model loading, planning).
 */
final class JobProfiler extends SparkListener {

    private static final String BATCH_ID = "streaming.sql.batchId";

    private final Map<Integer, String> sites = new HashMap<>();
    private final Map<Integer, Long> starts = new HashMap<>();
    private final Map<String, Long> totals = new TreeMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private String batch;
    private int ordinal;

    @Override
    public synchronized void onJobStart(SparkListenerJobStart jobStart) {
        String batchId = jobStart.properties() == null ? null : jobStart.properties().getProperty(BATCH_ID);
        if (batchId == null || !batchId.equals(batch)) {
            batch = batchId;
            ordinal = 0;
        }
        ordinal++;
        var stages = jobStart.stageInfos();
        String last = stages.isEmpty() ? "no stages" : stages.last().name();
        sites.put(jobStart.jobId(), String.format("job %02d (%d stages, last: %s)", ordinal, stages.size(), last));
        starts.put(jobStart.jobId(), jobStart.time());
    }

    /** Total milliseconds inside Spark jobs per batch. */
    synchronized double totalPerBatch(int batches) {
        return Math.round(totals.values().stream().mapToLong(Long::longValue).sum() * 10.0 / Math.max(batches, 1)) / 10.0;
    }

    @Override
    public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
        Long start = starts.remove(jobEnd.jobId());
        String site = sites.remove(jobEnd.jobId());
        if (start != null) {
            totals.merge(site, jobEnd.time() - start, Long::sum);
            counts.merge(site, 1, Integer::sum);
        }
    }

    /** Mean milliseconds per batch of the jobs at each position, over {@code batches} batches. */
    synchronized Map<String, Double> perBatch(int batches) {
        Map<String, Double> out = new TreeMap<>();
        totals.forEach((site, ms) -> out.put(site + " x" + counts.get(site),
                Math.round(ms * 10.0 / Math.max(batches, 1)) / 10.0));
        return out;
    }
}
