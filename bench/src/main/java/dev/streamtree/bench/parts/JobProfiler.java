package dev.streamtree.bench.parts;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a micro-batch's time goes inside {@code addBatch}: wall time of every Spark job, summed by the call site
 * that started it (e.g. {@code save at KafkaSink.java:17}, {@code collectAsList at MicroBatchProcessor.java:72}).
 */
final class JobProfiler extends SparkListener {

    private static final String CALL_SITE = "callSite.short";

    private final Map<Integer, String> sites = new HashMap<>();
    private final Map<Integer, Long> starts = new HashMap<>();
    private final Map<String, Long> totals = new TreeMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();

    @Override
    public synchronized void onJobStart(SparkListenerJobStart jobStart) {
        String site = jobStart.properties() == null ? null : jobStart.properties().getProperty(CALL_SITE);
        sites.put(jobStart.jobId(), site == null ? "unknown" : site);
        starts.put(jobStart.jobId(), jobStart.time());
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

    /** Mean milliseconds per batch of the jobs started at each call site, over {@code batches} batches. */
    synchronized Map<String, Double> perBatch(int batches) {
        Map<String, Double> out = new TreeMap<>();
        totals.forEach((site, ms) -> out.put(site + " (x" + counts.get(site) + ")",
                Math.round(ms * 10.0 / Math.max(batches, 1)) / 10.0));
        return out;
    }
}
