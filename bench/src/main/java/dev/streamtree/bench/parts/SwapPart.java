package dev.streamtree.bench.parts;

import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.bench.load.PredictionLog;
import dev.streamtree.bench.load.PredictionReader;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.bench.report.Percentiles;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.realtime.RealTimeConfig;
import dev.streamtree.streaming.realtime.RealTimeJob;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.score.SparkModelLoader;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Hot swaps under load: promotes a version the job has never loaded, {@code --swaps} times while events flow at a
 * paced rate, and measures the time from each {@code registry.promote} to the first prediction carrying the new
 * version. Afterwards every event must have a prediction (none lost) and none may be scored in two (version, batch)
 * pairs (none duplicated). The model load time is measured the way the job loads a version: metadata and checksums,
 * the model files read, and the loader's check.
 *
 * <p>With micro-batches the swaps' promotions are spread evenly over the trigger's cycle ({@link #phase}): Spark
 * starts a processing-time batch on the wall clock's multiples of the interval, so a promotion's place in the cycle
 * sets how long it waits for the next batch, from nearly nothing to a whole trigger. Each gap is split at the start of
 * the first batch that scored with the new version ({@link #gapParts}): the wait is what the swap itself takes and is
 * checked against trigger + model load; the rest is that batch's own time to its first prediction, which every batch
 * has, compared with the batches that kept the serving version ({@link #ordinaryBatches}).
 *
 * <p>Every promoted version is fresh because the job's {@code ModelTracker} keeps the four most recently used loaded
 * versions by id: a re-promoted id serves after the pointer read alone, without the check and load a newly trained
 * version pays (swaps between two ids would measure that case). So before the job starts the part commits one copy
 * of the two trained versions per swap, alternating their trees ({@link FreshVersions}), and one more copy that is
 * never promoted: the real-time watcher loads the registry's newest committed version once when it starts, and that
 * must not be a version a swap promotes. The copies are committed outside every measured gap.
 */
public final class SwapPart {

    private static final Duration SWAP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN = Duration.ofSeconds(90);

    private SwapPart() {
    }

    /** The job under test: its lake count and how to stop it. */
    private interface Running {
        long eventsToLake();

        void stop();
    }

    public static List<Measurement> run(BenchContext ctx) throws Exception {
        return run(ctx, "swap", false);
    }

    /**
     * The same swaps with the job in real-time mode ({@link RealTimeJob}, watch interval
     * {@link RealTimePart#WATCH_INTERVAL}): the gap's goal is under {@value #REAL_TIME_GAP_GOAL_MS} ms.
     */
    public static List<Measurement> runRealTime(BenchContext ctx) throws Exception {
        RealTimePart.requireSlots(ctx);
        return run(ctx, "swap-realtime", true);
    }

    private static final long REAL_TIME_GAP_GOAL_MS = 200;

    /**
     * Where swap {@code swap} of {@code swaps} promotes in the trigger's cycle, in ms after a batch's scheduled start:
     * the middles of {@code swaps} equal slices of the cycle, in order.
     */
    static long phase(int swap, int swaps, long triggerMs) {
        return (2L * swap + 1) * triggerMs / (2L * swaps);
    }

    /** How long to wait from {@code nowMillis} until the wall clock is {@code phaseMs} past a multiple of the trigger. */
    static long millisUntilPhase(long nowMillis, long triggerMs, long phaseMs) {
        return Math.floorMod(phaseMs - nowMillis, triggerMs);
    }

    /** The least and greatest place of the promotions (when {@code promote} returned) in the trigger's cycle. */
    static long[] phases(List<long[]> swapped, long triggerMs) {
        long[] p = swapped.stream().mapToLong(swap -> Math.floorMod(swap[0], triggerMs)).toArray();
        return new long[] {Arrays.stream(p).min().orElse(0), Arrays.stream(p).max().orElse(0)};
    }

    /**
     * The two parts of each micro-batch gap: from the promotion to the start of the first batch that scored with the
     * new version (what the swap itself takes: at most a trigger, the load done before), and from that batch's start
     * to its first prediction's receipt (the batch's own start-up and delivery, which every gap holds).
     *
     * @param swapped    per swap: promoted at, the batch of the new version's first prediction, its receipt
     * @param batchStart when a batch started (empty for one Spark has not reported)
     * @param budgetMs   trigger + model load: the first part is checked against it as well, apart from the whole gap
     */
    static List<Measurement> gapParts(String part, List<long[]> swapped,
                                      LongFunction<OptionalLong> batchStart, long budgetMs) {
        List<Long> waits = new ArrayList<>();
        for (long[] swap : swapped) {
            batchStart.apply(swap[1]).ifPresent(start -> waits.add(start - swap[0]));
        }
        List<Measurement> out = new ArrayList<>();
        if (waits.isEmpty()) {
            return out;
        }
        long[] w = waits.stream().mapToLong(Long::longValue).toArray();
        long[] d = switchingBatchTimes(swapped, batchStart);
        long maxWait = Percentiles.of(w, 100);
        out.add(Measurement.checked(part, "swap gap, promotion -> start of the first batch with the new version, max ("
                + waits.size() + " swaps, p50 " + Percentiles.of(w, 50) + " ms)", maxWait, "ms",
                "trigger + model load = " + budgetMs + " ms", "<= " + budgetMs + " ms", maxWait <= budgetMs));
        out.add(Measurement.plain(part, "swap gap, that batch's start -> its first prediction received, max (p50 "
                + Percentiles.of(d, 50) + " ms, min " + Arrays.stream(d).min().orElse(0) + " ms)",
                Percentiles.of(d, 100), "ms"));
        return out;
    }

    /** Per swap whose batch Spark reported: that batch's start → its first prediction received, in ms. */
    private static long[] switchingBatchTimes(List<long[]> swapped, LongFunction<OptionalLong> batchStart) {
        List<Long> times = new ArrayList<>();
        for (long[] swap : swapped) {
            batchStart.apply(swap[1]).ifPresent(start -> times.add(swap[2] - start));
        }
        return times.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * The same start → first prediction received of the batches between the swaps' first and last that scored
     * with the version already serving, beside the switching batches' in {@link #gapParts}, and a check that a swap
     * costs the batch that makes it nothing beyond the others' spread: the switching batches' median at most the
     * others' 95th percentile.
     */
    static List<Measurement> ordinaryBatches(String part, List<long[]> swapped, LongFunction<OptionalLong> batchStart,
                                             LongFunction<OptionalLong> firstReceived) {
        if (swapped.isEmpty()) {
            return List.of();
        }
        Set<Long> switching = new HashSet<>();
        swapped.forEach(swap -> switching.add(swap[1]));
        List<Long> times = new ArrayList<>();
        for (long batch = swapped.get(0)[1]; batch <= swapped.get(swapped.size() - 1)[1]; batch++) {
            OptionalLong start = batchStart.apply(batch);
            OptionalLong received = firstReceived.apply(batch);
            if (!switching.contains(batch) && start.isPresent() && received.isPresent()) {
                times.add(received.getAsLong() - start.getAsLong());
            }
        }
        if (times.isEmpty()) {
            return List.of();
        }
        long[] t = times.stream().mapToLong(Long::longValue).toArray();
        long p95 = Percentiles.of(t, 95);
        List<Measurement> out = new ArrayList<>();
        out.add(Measurement.plain(part, "batches without a swap: start -> first prediction received, max ("
                + t.length + " batches, p50 " + Percentiles.of(t, 50) + " ms, p95 " + p95 + " ms, min "
                + Arrays.stream(t).min().orElse(0) + " ms)", Percentiles.of(t, 100), "ms"));
        long[] s = switchingBatchTimes(swapped, batchStart);
        if (s.length > 0) {
            long p50 = Percentiles.of(s, 50);
            out.add(Measurement.checked(part, "switching batches: start -> first prediction received, p50 ("
                    + s.length + " swaps)", p50, "ms", "the batches without a swap, p95 = " + p95 + " ms",
                    "<= " + p95 + " ms", p50 <= p95));
        }
        return out;
    }

    private static List<Measurement> run(BenchContext ctx, String part, boolean realTime) throws Exception {
        List<VersionId> versions = ctx.versions();
        FileSystemModelRegistry registry = ctx.registry();
        registry.promote(versions.get(0), "bench: swap part starts on " + versions.get(0));
        int swaps = ctx.sizes().swaps();
        // Swap i promotes a copy of versions.get((i + 1) % 2): the trees alternate, starting with the one not serving.
        List<VersionId> fresh = FreshVersions.commitCopies(registry, List.of(versions.get(1), versions.get(0)),
                swaps + 1, ctx.spark().sparkContext().hadoopConfiguration()).subList(0, swaps);
        Topics topics = ctx.topics(part);
        Duration trigger = ctx.sizes().swapTrigger();
        ProgressRecorder recorder = new ProgressRecorder(StreamingOptions.QUERY_NAME);
        ctx.spark().streams().addListener(recorder);
        JobProfiler jobs = ctx.startJobProfile();
        Running job;
        if (realTime) {
            RealTimeJob rt = RealTimeJob.start(ctx.spark(), ctx.streamingConfig(part, topics, ctx.sizes().realTimeLakeTrigger(), 0),
                    new RealTimeConfig(RealTimePart.CHECKPOINT_INTERVAL, RealTimePart.WATCH_INTERVAL,
                            ctx.dir(part + "/checkpoint-realtime").toString()), StatusBoard.Observer.NONE);
            job = new Running() {
                public long eventsToLake() {
                    return rt.status().eventsToLake();
                }

                public void stop() {
                    rt.stop();
                }
            };
        } else {
            StreamingJob mb = ctx.startJob(ctx.streamingConfig(part, topics, trigger, 0));
            job = new Running() {
                public long eventsToLake() {
                    return mb.status().eventsToLake();
                }

                public void stop() {
                    mb.stop();
                }
            };
        }
        PredictionLog log = new PredictionLog(part);
        List<Long> gaps = new ArrayList<>();
        List<Long> promoteCalls = new ArrayList<>();
        List<long[]> swapped = new ArrayList<>();
        long sent;
        long lakeRows;
        try (PredictionReader reader = PredictionReader.start(ctx.kafka(), topics.predictions(), log)) {
            EventFeed.Paced producer = EventFeed.Paced.start(ctx.kafka(), topics.events(), part, ctx.sizes().swapRate(), null, 31);
            try {
                awaitVersion(log, versions.get(0).toString(), 0, reader);
                for (int i = 0; i < swaps; i++) {
                    VersionId target = fresh.get(i);
                    Thread.sleep(2 * trigger.toMillis());
                    if (!realTime) {
                        long t = trigger.toMillis();
                        Thread.sleep(millisUntilPhase(System.currentTimeMillis(), t, phase(i, swaps, t)));
                    }
                    long calledAt = System.currentTimeMillis();
                    registry.promote(target, "bench: swap " + (i + 1));
                    // The pointer moves at the end of promote(), after the registry has verified the version's
                    // checksums: the gap runs from its return, and the call's own time is reported beside it.
                    long promotedAt = System.currentTimeMillis();
                    promoteCalls.add(promotedAt - calledAt);
                    awaitVersion(log, target.toString(), calledAt, reader);
                    gaps.add(log.versionSince() - promotedAt);
                    swapped.add(new long[] {promotedAt, log.versionBatch(), log.versionSince()});
                }
                Thread.sleep(2 * trigger.toMillis());
            } finally {
                producer.close();
            }
            sent = producer.sent();
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (log.covered(sent) < sent && System.nanoTime() < deadline) {
                reader.check();
                Thread.sleep(50);
            }
            // Predictions are each batch's first write; the lake write of the last batch follows them.
            while (job.eventsToLake() < sent && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            lakeRows = job.eventsToLake();
        } finally {
            job.stop();
            ctx.spark().streams().removeListener(recorder);
        }
        ctx.endProfile(part, jobs, recorder);
        long[] loads = loadTimes(ctx, fresh);
        long load = Percentiles.of(loads, 50);
        long[] gapArray = gaps.stream().mapToLong(Long::longValue).toArray();
        long budget = realTime ? REAL_TIME_GAP_GOAL_MS : trigger.toMillis() + load;
        long maxGap = Percentiles.of(gapArray, 100);
        long lost = sent - log.covered(sent);
        List<Measurement> out = new ArrayList<>();
        out.add(Measurement.plain(part, "model load (checksums + model files + compile), median", load, "ms"));
        out.add(Measurement.plain(part, "swap gap p50 of " + gaps.size() + (realTime ? " (real-time, watch "
                        + RealTimePart.WATCH_INTERVAL.toMillis() + " ms)" : " (trigger " + trigger.toMillis() + " ms)"),
                Percentiles.of(gapArray, 50), "ms"));
        out.add(Measurement.plain(part, "registry promote() call (verify + pointer move), median",
                Percentiles.of(promoteCalls.stream().mapToLong(Long::longValue).toArray(), 50), "ms"));
        if (realTime) {
            out.add(Measurement.checked(part, "swap gap max", maxGap, "ms", "goal", "< " + budget + " ms",
                    maxGap < budget));
        } else {
            out.add(Measurement.plain(part, "swap gap max (the wait for the next batch + that batch's own time to its"
                    + " first prediction, both below)", maxGap, "ms"));
            long[] placed = phases(swapped, trigger.toMillis());
            out.add(Measurement.plain(part, "promotions' place in the trigger's cycle, ms after a batch's scheduled"
                    + " start, min (max " + placed[1] + " ms)", placed[0], "ms"));
            out.addAll(gapParts(part, swapped, recorder::startMillis, budget));
            out.addAll(ordinaryBatches(part, swapped, recorder::startMillis, log::firstReceived));
        }
        out.add(Measurement.checked(part, "events lost (of " + sent + " at " + ctx.sizes().swapRate() + "/s)", lost,
                "count", "", "0", lost == 0));
        out.add(Measurement.checked(part, "events scored twice (distinct version+batch)", log.scoredTwice(), "count",
                "", "0", log.scoredTwice() == 0));
        out.add(Measurement.checked(part, "lake rows written - events sent", lakeRows - sent, "count", "", "0",
                lakeRows == sent));
        out.add(Measurement.plain(part, "redelivered records (same event+version+batch)", log.redelivered(), "count"));
        return out;
    }

    private static void awaitVersion(PredictionLog log, String version, long after, PredictionReader reader)
            throws InterruptedException {
        long deadline = System.nanoTime() + SWAP_TIMEOUT.toNanos();
        while (!(version.equals(log.version()) && log.versionSince() >= after)) {
            reader.check();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no prediction by " + version + " within " + SWAP_TIMEOUT + " of its promotion");
            }
            Thread.sleep(5);
        }
    }

    /** Loads each promoted version three times as the job does and returns the times in ms. */
    private static long[] loadTimes(BenchContext ctx, List<VersionId> versions) {
        SparkModelLoader loader = new SparkModelLoader(ctx.schema(), ctx.spark().sparkContext().hadoopConfiguration());
        List<Long> times = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (VersionId v : versions) {
                long start = System.nanoTime();
                ModelRegistry.VerifiedVersion verified = ctx.registry().verified(v);
                TreeScorer model = loader.load(verified);
                if (loader.problem(model).isPresent()) {
                    throw new IllegalStateException("model " + v + " fails the loader's check: " + loader.problem(model).get());
                }
                times.add((System.nanoTime() - start) / 1_000_000);
            }
        }
        return times.stream().mapToLong(Long::longValue).toArray();
    }
}
