package dev.streamtree.bench.parts;

import java.util.List;
import java.util.Objects;

/**
 * The adaptation figures of one run, from per-event records in generation order: each event's true label, the
 * labelling function it was generated with, and its first prediction's class (null when it was never scored).
 * Prequential: an event is scored by the model that served when it arrived; an event without a prediction counts as
 * wrong in every figure over "all events" and in the windows.
 *
 * @param events              events generated
 * @param scored              events with a prediction
 * @param correct             events whose first prediction was their label
 * @param firstScoredIndex    how many events came before the first scored one (-1: none scored)
 * @param driftIndex          index of the first event of the new function (-1: no drift)
 * @param preDriftAccuracy    accuracy over the {@value #PRE_DRIFT_SPAN} events before the drift, from the first scored
 *                            event on (NaN without drift or without scored events before it)
 * @param recoveryEvents      events from the drift to the end of the first {@value #WINDOW}-event window (sliding by
 *                            {@value #STEP}) whose accuracy is within {@value #TOLERANCE} of the pre-drift accuracy;
 *                            -1 when no window recovers
 * @param lowestWindowAfterDrift the worst such window's accuracy after the drift (NaN without drift)
 */
public record AdaptationScore(int events, int scored, int correct, int firstScoredIndex, int driftIndex,
                              double preDriftAccuracy, int recoveryEvents, double lowestWindowAfterDrift) {

    public static final int WINDOW = 1_000;
    public static final int STEP = 100;
    public static final double TOLERANCE = 0.02;
    public static final int PRE_DRIFT_SPAN = 5_000;

    /** Accuracy over all events (unscored = wrong). */
    public double accuracyAll() {
        return events == 0 ? Double.NaN : correct / (double) events;
    }

    /** Accuracy over the scored events. */
    public double accuracyScored() {
        return scored == 0 ? Double.NaN : correct / (double) scored;
    }

    /**
     * Scores a run.
     *
     * @param labels    true label per event, in generation order
     * @param functions labelling function per event
     * @param predicted first predicted class per event, null where none
     */
    public static AdaptationScore of(List<String> labels, List<Integer> functions, List<String> predicted) {
        int n = labels.size();
        if (functions.size() != n || predicted.size() != n) {
            throw new IllegalArgumentException("per-event lists differ in length: " + n + " labels, " + functions.size()
                    + " functions, " + predicted.size() + " predictions");
        }
        int[] hits = new int[n + 1]; // prefix sums of correct
        int scored = 0;
        int first = -1;
        for (int i = 0; i < n; i++) {
            String p = predicted.get(i);
            if (p != null) {
                scored++;
                if (first < 0) {
                    first = i;
                }
            }
            hits[i + 1] = hits[i] + (p != null && Objects.equals(p, labels.get(i)) ? 1 : 0);
        }
        int drift = -1;
        for (int i = 1; i < n && n > 0; i++) {
            if (!functions.get(i).equals(functions.get(0))) {
                drift = i;
                break;
            }
        }
        double pre = Double.NaN;
        int recovery = -1;
        double lowest = Double.NaN;
        if (drift > 0 && first >= 0 && first < drift) {
            int from = Math.max(first, drift - PRE_DRIFT_SPAN);
            pre = (hits[drift] - hits[from]) / (double) (drift - from);
            for (int s = drift; s + WINDOW <= n; s += STEP) {
                double acc = (hits[s + WINDOW] - hits[s]) / (double) WINDOW;
                lowest = Double.isNaN(lowest) ? acc : Math.min(lowest, acc);
                if (recovery < 0 && acc >= pre - TOLERANCE) {
                    recovery = s + WINDOW - drift;
                }
            }
        }
        return new AdaptationScore(n, scored, hits[n], first, drift, pre, recovery, lowest);
    }
}
