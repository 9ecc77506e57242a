package dev.streamtree.monitor.drift;

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
            return false;
        }
        if (count < config.minItems() || statistic <= config.lambda() || countBeforeRun == 0) {
            return false;
        }
        long after = count - countBeforeRun;
        DriftSignal drift = new DriftSignal(index, runStart, countBeforeRun, totalBeforeRun / countBeforeRun,
                (total - totalBeforeRun) / after);
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
        lastDrift = null;
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
