package dev.streamtree.monitor.drift;

/**
 * What a detector knew when it fired. Positions are 0-based item indexes counted since the detector was
 * created.
 *
 * @param detectedAtIndex   index of the item whose arrival triggered the detection
 * @param changeIndex       index of the first item the detector attributes to the new regime (for ADWIN, the
 *                          split of its window where the two sides differ most, see {@link Adwin})
 * @param itemsBefore       how many items the detector held from before the change
 * @param meanBefore        mean of those items (for an error stream: the error rate before the change)
 * @param meanAfter         mean of the items from {@code changeIndex} to {@code detectedAtIndex}
 */
public record DriftSignal(long detectedAtIndex, long changeIndex, long itemsBefore, double meanBefore,
                          double meanAfter) {

    public DriftSignal {
        if (changeIndex < 0 || changeIndex > detectedAtIndex) {
            throw new IllegalArgumentException("change index " + changeIndex + " must lie in 0.." + detectedAtIndex);
        }
        if (itemsBefore < 1) {
            throw new IllegalArgumentException("a change needs at least one item before it, got " + itemsBefore);
        }
    }

    /** How many items the detector attributes to the new regime, detecting item included. */
    public long itemsAfter() {
        return detectedAtIndex - changeIndex + 1;
    }
}
