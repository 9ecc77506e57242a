package dev.streamtree.monitor.drift;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * ADWIN2 (Bifet and Gavaldà, "Learning from Time-Changing Data with Adaptive Windowing", SDM 2007): keeps
 * the longest window of recent values in which no two adjacent sub-windows have means that differ by more
 * than a confidence bound, and drops the older part when they do; that drop is the detection.
 *
 * <p>The window is stored as an exponential histogram: row {@code i} holds at most {@code M} buckets of
 * {@code 2^i} items each (count, sum and the sum of squared deviations from the bucket's mean), so memory and
 * the candidate cut points are O(M log W) for a window of W items. Cuts, and the change point below, can
 * only fall on bucket boundaries.
 *
 * <p>Every {@code clock} items, every boundary that leaves at least {@code minSubWindowLength} items on each
 * side is tested with the paper's variance-based bound
 * {@code eps = sqrt(2/m * var * ln(2/d')) + 2/(3m) * ln(2/d')}, where {@code m = 1/(1/n0 + 1/n1)}, {@code var}
 * is the variance of the whole window and {@code d' = delta / ln(W)}. While a boundary exceeds it, the oldest
 * bucket is dropped and the test repeats; {@link #lastCut()} describes what went.
 *
 * <p>The kept window is a poor change point at the first detection: the drops stop as soon as no boundary is
 * significant, so the kept window usually still holds hundreds of pre-change items (for an error step from
 * 0.05 to 0.40 after 1,000 items, the first kept window started 72 to 872 items before the step over 20
 * seeds), and ADWIN fires again as later checks shed them. {@link #lastDrift()} therefore places the change
 * at the boundary of the pre-cut window where the two sides differ most in standard errors,
 * {@code |mean0 - mean1| * sqrt(n0 * n1 / W)} (the least-squares split for a single shift in the mean),
 * and reports the means on either side of it. Boundaries are finest at the recent end, where a change that
 * was just detected lies.
 */
public final class Adwin implements DriftDetector {

    public static final String NAME = "adwin";

    private final AdwinConfig config;
    /** Row i holds buckets of 2^i items, newest first. */
    private final List<ArrayDeque<Bucket>> rows = new ArrayList<>();
    private long width;
    private double sum;
    /** Sum of squared deviations from the window's mean. */
    private double squares;
    private long itemsSeen;
    private int sinceCheck;
    private DriftSignal lastDrift;
    private Cut lastCut;

    public Adwin() {
        this(AdwinConfig.defaults());
    }

    public Adwin(AdwinConfig config) {
        this.config = config;
    }

    public AdwinConfig config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean add(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("ADWIN takes finite values, got " + value);
        }
        if (width > 0) {
            double deviation = value - sum / width;
            squares += deviation * deviation * width / (width + 1);
        }
        width++;
        sum += value;
        itemsSeen++;
        insert(new Bucket(1, value, 0));
        if (++sinceCheck < config.clock()) {
            return false;
        }
        sinceCheck = 0;
        return cut();
    }

    /** Items in the current window. */
    public long width() {
        return width;
    }

    /** Mean of the current window (0 when it is empty). */
    public double mean() {
        return width == 0 ? 0 : sum / width;
    }

    /** Population variance of the current window (0 when it is empty). */
    public double variance() {
        return width == 0 ? 0 : squares / width;
    }

    /** Buckets currently held, for tests and for sizing. */
    public int bucketCount() {
        return rows.stream().mapToInt(ArrayDeque::size).sum();
    }

    /** What the last detection dropped, or empty if there has been none since construction or reset. */
    public Optional<Cut> lastCut() {
        return Optional.ofNullable(lastCut);
    }

    @Override
    public Optional<DriftSignal> lastDrift() {
        return Optional.ofNullable(lastDrift);
    }

    @Override
    public void reset() {
        rows.clear();
        width = 0;
        sum = 0;
        squares = 0;
        sinceCheck = 0;
        lastDrift = null;
        lastCut = null;
    }

    @Override
    public long itemsSeen() {
        return itemsSeen;
    }

    @Override
    public long earliestChangeIndex() {
        return itemsSeen - width;
    }

    private void insert(Bucket bucket) {
        Bucket carry = bucket;
        for (int row = 0; carry != null; row++) {
            if (row == rows.size()) {
                rows.add(new ArrayDeque<>());
            }
            ArrayDeque<Bucket> buckets = rows.get(row);
            buckets.addFirst(carry);
            carry = null;
            if (buckets.size() > config.bucketsPerRow()) {
                Bucket oldest = buckets.pollLast();
                Bucket older = buckets.pollLast();
                carry = oldest.merge(older);
            }
        }
    }

    /**
     * Drops oldest buckets while some boundary separates sub-windows with different means. The change is
     * placed, before anything is dropped, at the boundary where the two sides differ most in standard errors.
     */
    private boolean cut() {
        Bucket drop = bucketToDrop();
        if (drop == null) {
            return false;
        }
        long windowStart = itemsSeen - width;
        Split split = bestSplit();
        DriftSignal signal = new DriftSignal(itemsSeen - 1, windowStart + split.before(), split.before(),
                split.sumBefore() / split.before(), (sum - split.sumBefore()) / (width - split.before()));
        long dropped = 0;
        double droppedSum = 0;
        do {
            removeOldest(drop);
            dropped += drop.size();
            droppedSum += drop.sum();
        } while ((drop = bucketToDrop()) != null);
        lastDrift = signal;
        lastCut = new Cut(itemsSeen - width, dropped, droppedSum / dropped, mean());
        return true;
    }

    /** The boundary maximising |mean0 - mean1| * sqrt(n0 * n1 / W); called only when some boundary is valid. */
    private Split bestSplit() {
        int minLength = config.minSubWindowLength();
        long n0 = 0;
        double sum0 = 0;
        double best = -1;
        Split split = null;
        for (int row = rows.size() - 1; row >= 0; row--) {
            for (Iterator<Bucket> it = rows.get(row).descendingIterator(); it.hasNext(); ) {
                Bucket bucket = it.next();
                n0 += bucket.size();
                sum0 += bucket.sum();
                long n1 = width - n0;
                if (n1 < minLength) {
                    return split;
                }
                if (n0 >= minLength) {
                    double z = Math.abs(sum0 / n0 - (sum - sum0) / n1) * Math.sqrt((double) n0 * n1 / width);
                    if (z > best) {
                        best = z;
                        split = new Split(n0, sum0);
                    }
                }
            }
        }
        return split;
    }

    /** The oldest bucket if the window should shrink, else null. */
    private Bucket bucketToDrop() {
        int minLength = config.minSubWindowLength();
        if (width < 2L * minLength) {
            return null;
        }
        double variance = variance();
        double logTerm = Math.log(2 * Math.log(width) / config.delta());
        long n0 = 0;
        double sum0 = 0;
        for (int row = rows.size() - 1; row >= 0; row--) {
            for (Iterator<Bucket> it = rows.get(row).descendingIterator(); it.hasNext(); ) {
                Bucket bucket = it.next();
                n0 += bucket.size();
                sum0 += bucket.sum();
                long n1 = width - n0;
                if (n1 < minLength) {
                    return null;
                }
                if (n0 >= minLength) {
                    double m = 1 / (1.0 / n0 + 1.0 / n1);
                    double epsilon = Math.sqrt(2 / m * variance * logTerm) + 2 / (3 * m) * logTerm;
                    if (Math.abs(sum0 / n0 - (sum - sum0) / n1) > epsilon) {
                        return oldest();
                    }
                }
            }
        }
        return null;
    }

    private Bucket oldest() {
        return rows.get(rows.size() - 1).peekLast();
    }

    private void removeOldest(Bucket bucket) {
        ArrayDeque<Bucket> top = rows.get(rows.size() - 1);
        top.pollLast();
        if (top.isEmpty()) {
            rows.remove(rows.size() - 1);
        }
        long rest = width - bucket.size();
        if (rest == 0) {
            width = 0;
            sum = 0;
            squares = 0;
            return;
        }
        double restSum = sum - bucket.sum();
        double gap = bucket.sum() / bucket.size() - restSum / rest;
        squares = Math.max(0, squares - bucket.squares() - gap * gap * bucket.size() * rest / width);
        width = rest;
        sum = restSum;
    }

    /**
     * What one detection did to the window.
     *
     * @param keptStart   index of the first item of the window that was kept
     * @param dropped     how many of the oldest items were dropped
     * @param droppedMean their mean
     * @param keptMean    the mean of the kept window
     */
    public record Cut(long keptStart, long dropped, double droppedMean, double keptMean) {
    }

    private record Split(long before, double sumBefore) {
    }

    private record Bucket(long size, double sum, double squares) {

        Bucket merge(Bucket other) {
            double gap = sum / size - other.sum / other.size;
            long n = size + other.size;
            return new Bucket(n, sum + other.sum, squares + other.squares + gap * gap * size * other.size / n);
        }
    }
}
