package dev.streamtree.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How big each benchmark part is, resolved once from the command line ({@code --quick} picks small defaults).
 *
 * @param events            events preloaded for the throughput part (Kafka, passthrough and streaming read the same ones)
 * @param partitions        partitions of every benchmark topic
 * @param throughputTrigger trigger interval of the passthrough and the streaming job in the throughput part
 * @param maxOffsets        maxOffsetsPerTrigger of both queries in the throughput part
 * @param repeats           runs of each query in the throughput part, alternating passthrough and streaming job
 * @param latencyTrigger    trigger interval of the streaming job in the latency part
 * @param rates             paced event rates of the latency part
 * @param latencySeconds    how long each rate is produced
 * @param warmupSeconds     events produced in the first seconds are left out of the percentiles
 * @param swaps             promotions in the swap part
 * @param swapRate          paced event rate during the swaps
 * @param swapTrigger       trigger interval of the streaming job in the swap part
 * @param trainingRows      Agrawal rows of the training part (80% train, 20% holdout)
 * @param depth             tree depth of the training part
 * @param maxBins           Spark's maxBins in the training part (the retrain uses {@code TreeParams.DEFAULT_MAX_BINS})
 * @param work              scratch directory (topics' checkpoints, lakes, registry, CSV split); emptied first
 * @param python            Python interpreter with scikit-learn
 * @param sklearnScript     bench/sklearn/compare.py
 * @param lakeRowsPerHour   rows per hour partition of the lake part's 30-day lake
 * @param lakeHoursPerBatch hours each append of the lake part covers (the job's commit interval, scaled)
 * @param realTimeLakeTrigger trigger interval of the lake query beside real-time scoring (the real-time and real-time
 *                          swap parts)
 */
public record BenchSizes(int events, int partitions, Duration throughputTrigger, int maxOffsets, int repeats, int warmUpRuns,
                         Duration latencyTrigger,
                         List<Integer> rates, int latencySeconds, int warmupSeconds, int swaps, int swapRate,
                         Duration swapTrigger, int trainingRows, int depth, int maxBins, Path work, String python, Path sklearnScript,
                         int lakeRowsPerHour, int lakeHoursPerBatch, Duration realTimeLakeTrigger) {

    public BenchSizes {
        positive(events, "--events");
        positive(partitions, "--partitions");
        positive(maxOffsets, "--max-offsets-per-trigger");
        positive(repeats, "--repeats");
        if (warmUpRuns < 0) {
            throw new IllegalArgumentException("--warm-up-runs must be 0 or more, got " + warmUpRuns);
        }
        positive(latencySeconds, "--latency-seconds");
        positive(swaps, "--swaps");
        positive(swapRate, "--swap-rate");
        positive(trainingRows, "--training-rows");
        positive(depth, "--depth");
        positive(lakeRowsPerHour, "--lake-rows-per-hour");
        if (lakeHoursPerBatch < 1 || 24 % lakeHoursPerBatch != 0) {
            throw new IllegalArgumentException("--lake-hours-per-batch must divide 24, got " + lakeHoursPerBatch);
        }
        if (maxBins < 2) {
            throw new IllegalArgumentException("--max-bins must be at least 2, got " + maxBins);
        }
        if (trainingRows < 1000) {
            throw new IllegalArgumentException("--training-rows must be at least 1000, got " + trainingRows);
        }
        if (warmupSeconds < 0 || warmupSeconds >= latencySeconds) {
            throw new IllegalArgumentException("--warmup-seconds must be within [0, --latency-seconds), got " + warmupSeconds);
        }
        rates = List.copyOf(rates);
        if (rates.isEmpty() || rates.stream().anyMatch(r -> r <= 0)) {
            throw new IllegalArgumentException("--rates must be positive events/s, got " + rates);
        }
        for (Duration d : List.of(throughputTrigger, latencyTrigger, swapTrigger, realTimeLakeTrigger)) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("trigger intervals must be positive, got " + d);
            }
        }
    }

    private static void positive(int value, String flag) {
        if (value <= 0) {
            throw new IllegalArgumentException(flag + " must be positive, got " + value);
        }
    }
}
