package dev.streamtree.monitor.accuracy;

/**
 * A count of outcomes and how many of them were right. For accuracy {@code total} counts labelled
 * predictions; for a class's recall it counts the labelled predictions whose true class it is.
 */
public record Tally(long total, long correct) {

    public static final Tally EMPTY = new Tally(0, 0);

    public Tally {
        if (total < 0 || correct < 0 || correct > total) {
            throw new IllegalArgumentException("a tally needs 0 <= correct <= total, got " + correct + " of " + total);
        }
    }

    /** correct / total, or NaN when nothing has been counted. */
    public double rate() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }
}
