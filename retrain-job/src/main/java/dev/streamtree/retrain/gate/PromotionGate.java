package dev.streamtree.retrain.gate;

import dev.streamtree.retrain.train.Metrics;

import java.util.Locale;
import java.util.Optional;

/**
 * The promotion rule, plain Java: promote when there is no champion, when forced, or when
 * {@code candidate >= champion - tolerance} on the policy's metric (both measured on the same holdout).
 */
public final class PromotionGate {

    private PromotionGate() {
    }

    /** The verdict and the sentence that explains it. */
    public record Decision(boolean promote, String reason) {
    }

    public static Decision decide(GatePolicy policy, Metrics candidate, Optional<Metrics> champion) {
        String name = policy.metric().name().toLowerCase(Locale.ROOT);
        double mine = candidate.value(policy.metric());
        if (champion.isEmpty()) {
            return new Decision(true, String.format(Locale.ROOT, "no comparable champion; candidate %s %.4f", name, mine));
        }
        double theirs = champion.get().value(policy.metric());
        double floor = theirs - policy.tolerance();
        boolean passes = mine >= floor - 1e-12;
        String comparison = String.format(Locale.ROOT, "candidate %s %.4f vs champion %.4f (tolerance %.4f, floor %.4f)",
                name, mine, theirs, policy.tolerance(), floor);
        if (passes) {
            return new Decision(true, comparison + ": not worse beyond tolerance");
        }
        if (policy.force()) {
            return new Decision(true, comparison + ": worse, promoted because of --force");
        }
        return new Decision(false, comparison + ": worse beyond tolerance, champion kept");
    }
}
