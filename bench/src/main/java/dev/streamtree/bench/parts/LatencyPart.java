package dev.streamtree.bench.parts;

import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.bench.load.PredictionLog;
import dev.streamtree.bench.load.PredictionReader;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.bench.report.Percentiles;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingOptions;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * End-to-end latency at a paced rate: the event's time (set by the producer as it sends it) to the moment a
 * reader following the predictions topic receives its prediction. Events sent during the warm-up are left out.
 */
public final class LatencyPart {

    private static final Duration DRAIN = Duration.ofSeconds(90);
    private static final long P99_GOAL_MS = 1000;
    private static final int GOAL_RATE = 5000;

    private LatencyPart() {
    }

    public static List<Measurement> run(BenchContext ctx, int rate) throws Exception {
        String part = "latency-" + rate;
        ctx.versions();
        Topics topics = ctx.topics("lat" + rate);
        Duration trigger = ctx.sizes().latencyTrigger();
        ProgressRecorder recorder = new ProgressRecorder(StreamingOptions.QUERY_NAME);
        ctx.spark().streams().addListener(recorder);
        JobProfiler jobs = ctx.startJobProfile();
        StreamingJob job = ctx.startJob(ctx.streamingConfig(part, topics, trigger, 0));
        PredictionLog log = new PredictionLog(part);
        long sent;
        double achieved;
        long warmupEnd;
        try (PredictionReader reader = PredictionReader.start(ctx.kafka(), topics.predictions(), log)) {
            ThroughputPart.awaitRows(() -> job.status().batches() > 0 || job.query().lastProgress() != null,
                    () -> job.query().exception().isDefined() ? job.query().exception().get() : null, part + " job start");
            EventFeed.Paced producer = EventFeed.Paced.start(ctx.kafka(), topics.events(), part, rate,
                    Duration.ofSeconds(ctx.sizes().latencySeconds()), 21);
            producer.await();
            sent = producer.sent();
            achieved = producer.achievedRate();
            warmupEnd = producer.startedAt() + ctx.sizes().warmupSeconds() * 1000L;
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (log.covered(sent) < sent && System.nanoTime() < deadline) {
                reader.check();
                Thread.sleep(50);
            }
        } finally {
            job.stop();
            ctx.spark().streams().removeListener(recorder);
        }
        ctx.endProfile(part, jobs, recorder);
        long[] latencies = log.latenciesSince(warmupEnd);
        String setting = "trigger " + trigger.toMillis() + " ms";
        List<Measurement> out = new ArrayList<>();
        out.add(Measurement.plain(part, "achieved produce rate (target " + rate + ")", achieved, "rec/s"));
        out.add(Measurement.checked(part, "events without prediction", sent - log.covered(sent), "count", "",
                "0", log.covered(sent) == sent));
        if (latencies.length == 0) {
            out.add(Measurement.checked(part, "p99 end-to-end (" + setting + ")", Double.NaN, "ms", "", "measured", false));
            return out;
        }
        out.add(Measurement.plain(part, "p50 end-to-end (" + setting + ")", Percentiles.of(latencies, 50), "ms"));
        out.add(Measurement.plain(part, "p95 end-to-end", Percentiles.of(latencies, 95), "ms"));
        long p99 = Percentiles.of(latencies, 99);
        if (rate == GOAL_RATE) {
            out.add(Measurement.checked(part, "p99 end-to-end", p99, "ms", "", "< " + P99_GOAL_MS + " ms", p99 < P99_GOAL_MS));
        } else {
            out.add(Measurement.plain(part, "p99 end-to-end", p99, "ms"));
        }
        out.add(Measurement.plain(part, "max end-to-end", Percentiles.of(latencies, 100), "ms"));
        return out;
    }
}
