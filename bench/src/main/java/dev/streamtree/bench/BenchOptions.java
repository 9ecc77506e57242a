package dev.streamtree.bench;

import dev.streamtree.bench.parts.AdaptationPart;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.streaming.config.StreamingOptions;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Flags shared by every suite subcommand; an unset size takes its full or {@code --quick} default. */
public final class BenchOptions {

    @Option(names = "--quick", description = "Smoke-run sizes: a few seconds per part.")
    boolean quick;

    @Option(names = "--events", description = "Events preloaded for the throughput part (default 500000; quick 20000).")
    Integer events;

    @Option(names = "--partitions", defaultValue = "2", description = "Partitions per topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--throughput-trigger", defaultValue = "500ms", description = "Trigger of passthrough and streaming job in the throughput part, "
            + "shorter than their batches so neither waits for it (default: ${DEFAULT-VALUE}).")
    String throughputTrigger;

    @Option(names = "--max-offsets-per-trigger", description = "Batch cap of both throughput queries (default 100000; quick 10000).")
    Integer maxOffsets;

    @Option(names = "--repeats", description = "Runs of each throughput query, alternating passthrough and streaming job; "
            + "the table shows the median and the range (default 5; quick 1).")
    Integer repeats;

    @Option(names = "--warm-up-runs", description = "Runs of each throughput query before the counted ones, to warm the "
            + "JVM for both; shown, left out of the medians (default 1; quick 0).")
    Integer warmUpRuns;

    @Option(names = "--latency-trigger", defaultValue = "250ms", description = "Trigger of the streaming job in the latency part (default: ${DEFAULT-VALUE}).")
    String latencyTrigger;

    @Option(names = "--realtime-lake-trigger", defaultValue = StreamingOptions.DEFAULT_TRIGGER_INTERVAL,
            description = "Trigger of the lake query beside real-time scoring, in the real-time parts; the job's own "
                    + "default (default: ${DEFAULT-VALUE}).")
    String realTimeLakeTrigger;

    @Option(names = "--rates", split = ",", description = "Paced rates of the latency part, events/s (default 5000,20000).")
    List<Integer> rates;

    @Option(names = "--latency-seconds", description = "Seconds per rate (default 40; quick 8).")
    Integer latencySeconds;

    @Option(names = "--warmup-seconds", description = "Leading seconds left out of the percentiles (default 10; quick 3).")
    Integer warmupSeconds;

    @Option(names = "--swaps", description = "Promotions under load (default 20; quick 3).")
    Integer swaps;

    @Option(names = "--swap-rate", description = "Events/s during the swaps (default 2000; quick 500).")
    Integer swapRate;

    @Option(names = "--swap-trigger", defaultValue = "500ms", description = "Trigger of the streaming job in the swap part (default: ${DEFAULT-VALUE}).")
    String swapTrigger;

    @Option(names = "--training-rows", description = "Agrawal rows for the training part (default 1000000; quick 50000).")
    Integer trainingRows;

    @Option(names = "--depth", defaultValue = "10", description = "Tree depth of the training part (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = "--max-bins", defaultValue = "" + TreeParams.DEFAULT_MAX_BINS,
            description = "Spark tree maxBins in the training part; the default is the retrain's (default: ${DEFAULT-VALUE}).")
    int maxBins;

    @Option(names = "--lake-rows-per-hour", description = "Rows per hour of the lake part's 30-day lake (default 15000: 10.8 M rows; quick 200).")
    Integer lakeRowsPerHour;

    @Option(names = "--lake-hours-per-batch", description = "Hours each append of the lake part covers, 4 small files per hour (default 1: 720 appends; quick 24).")
    Integer lakeHoursPerBatch;

    @Option(names = "--adaptation-events", description = "Events per run of the adaptation part, at --adaptation-rate "
            + "(default 60000; quick 20000).")
    Integer adaptationEvents;

    @Option(names = "--adaptation-rate", defaultValue = "200", description = "Events/s of the adaptation part (default: ${DEFAULT-VALUE}).")
    int adaptationRate;

    @Option(names = "--adaptation-variants", split = ",", defaultValue = "DRIFT,NO_DRIFT,LABEL_DELAY",
            description = "Runs of the adaptation part: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    List<AdaptationPart.Variant> adaptationVariants;

    @Option(names = "--work", defaultValue = "work/bench", description = "Scratch directory, emptied first (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--out", defaultValue = "bench/results/latest.json", description = "JSON result file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--python", defaultValue = "/usr/bin/python3",
            description = "Python with scikit-learn; Debian's python3-sklearn installs into /usr/bin/python3 (default: ${DEFAULT-VALUE}).")
    String python;

    @Option(names = "--sklearn-script", defaultValue = "bench/sklearn/compare.py", description = "(default: ${DEFAULT-VALUE})")
    Path sklearnScript;

    BenchSizes sizes() {
        return new BenchSizes(pick(events, 500_000, 20_000), partitions, duration(throughputTrigger, "--throughput-trigger"),
                pick(maxOffsets, 100_000, 10_000), pick(repeats, 5, 1), pick(warmUpRuns, 1, 0),
                duration(latencyTrigger, "--latency-trigger"),
                rates == null ? List.of(5_000, 20_000) : rates, pick(latencySeconds, 40, 8), pick(warmupSeconds, 10, 3),
                pick(swaps, 20, 3), pick(swapRate, 2_000, 500), duration(swapTrigger, "--swap-trigger"),
                pick(trainingRows, 1_000_000, 50_000), depth, maxBins, work, python, sklearnScript,
                pick(lakeRowsPerHour, 15_000, 200), pick(lakeHoursPerBatch, 1, 24),
                duration(realTimeLakeTrigger, "--realtime-lake-trigger"));
    }

    AdaptationPart.Settings adaptation() {
        return new AdaptationPart.Settings(pick(adaptationEvents, 60_000, 20_000), adaptationRate, adaptationVariants);
    }

    private int pick(Integer explicit, int full, int small) {
        return explicit != null ? explicit : quick ? small : full;
    }

    private static Duration duration(String text, String flag) {
        return StreamingOptions.parseDuration(text, flag);
    }
}
