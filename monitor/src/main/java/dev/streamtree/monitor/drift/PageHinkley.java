package dev.streamtree.monitor.drift;

import java.util.Arrays;
import java.util.Optional;

/**
 * The Page-Hinkley test (Page 1954; in the form used by Gama et al. for error streams) for an increase of
 * the mean: the statistic {@code m = max(0, alpha * m + (x - mean - delta))}, where {@code mean} is the
 * running mean since the last reset, alarms when it exceeds {@code lambda}. The estimated change starts at
 * the item after the statistic last stood at zero. After an alarm the detector resets itself, so the next
 * alarm needs fresh evidence.
 *
 * <p>Only increases are detected: for an error stream a falling error is no reason to retrain.
 */
public final class PageHinkley implements DriftDetector {

    public static final String NAME = "page-hinkley";
    static final int MAX_EXCURSION = 1 << 16;

    private final PageHinkleyConfig config;
    private long itemsSeen;
    private long start;
    private long count;
    private double total;
    private double statistic;
    /** Index of the first item of the current excursion above zero, and the count and sum before it. */
    private long runStart;
    private long countBeforeRun;
    private double totalBeforeRun;
    /** runSums[j] = sum of the excursion's items 0..j. */
    private double[] runSums = new double[256];
    private int runLength;
    private boolean runOverflow;
    private DriftSignal lastDrift;

    public PageHinkley() {
        this(PageHinkleyConfig.defaults());
    }

    public PageHinkley(PageHinkleyConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean add(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("Page-Hinkley takes finite values, got " + value);
        }
        long index = itemsSeen++;
        count++;
        total += value;
        statistic = config.alpha() * statistic + (value - total / count - config.delta());
        if (statistic <= 0) {
            statistic = 0;
            runStart = index + 1;
            countBeforeRun = count;
            totalBeforeRun = total;
            runLength = 0;
            runOverflow = false;
            return false;
        }
        extendRun(value);
        if (count < config.minItems() || statistic <= config.lambda() || countBeforeRun == 0) {
            return false;
        }
        DriftSignal drift = locateChange(index);
        reset();
        lastDrift = drift;
        return true;
    }

    @Override
    public Optional<DriftSignal> lastDrift() {
        return Optional.ofNullable(lastDrift);
    }

    @Override
    public void reset() {
        start = itemsSeen;
        count = 0;
        total = 0;
        statistic = 0;
        runStart = itemsSeen;
        countBeforeRun = 0;
        totalBeforeRun = 0;
        runLength = 0;
        runOverflow = false;
        lastDrift = null;
    }

    private void extendRun(double value) {
        if (runOverflow || runLength == MAX_EXCURSION) {
            runOverflow = true;
            return;
        }
        if (runLength == runSums.length) {
            runSums = Arrays.copyOf(runSums, Math.min(MAX_EXCURSION, 2 * runSums.length));
        }
        runSums[runLength] = (runLength == 0 ? 0 : runSums[runLength - 1]) + value;
        runLength++;
    }

    /** The split at or after the excursion's start that best separates the items since the reset. */
    private DriftSignal locateChange(long index) {
        long bestBefore = countBeforeRun;
        double bestSumBefore = totalBeforeRun;
        if (!runOverflow) {
            double best = -1;
            for (int j = 0; j < runLength; j++) {
                long before = countBeforeRun + j;
                double sumBefore = totalBeforeRun + (j == 0 ? 0 : runSums[j - 1]);
                long after = count - before;
                double z = Math.abs(sumBefore / before - (total - sumBefore) / after)
                        * Math.sqrt((double) before * after / count);
                if (z > best) {
                    best = z;
                    bestBefore = before;
                    bestSumBefore = sumBefore;
                }
            }
        }
        return new DriftSignal(index, start + bestBefore, bestBefore, bestSumBefore / bestBefore,
                (total - bestSumBefore) / (count - bestBefore));
    }

    @Override
    public long itemsSeen() {
        return itemsSeen;
    }

    @Override
    public long earliestChangeIndex() {
        return start;
    }

    /** The current value of the statistic, for tests and for a live view. */
    public double statistic() {
        return statistic;
    }
}
