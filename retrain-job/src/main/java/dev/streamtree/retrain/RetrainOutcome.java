package dev.streamtree.retrain;

import dev.streamtree.common.registry.VersionId;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.retrain.train.Metrics;

import java.util.Optional;

/**
 * What a finished retrain did.
 *
 * @param promoted        whether the candidate now serves
 * @param candidate       the committed candidate version
 * @param champion        the version serving before, if any
 * @param candidateMetrics the candidate on the holdout
 * @param championMetrics the champion on the same holdout, if it could be evaluated
 * @param params          the chosen hyperparameters
 * @param reason          the gate's explanation
 * @param summary         the multi-line report printed by the CLI
 */
public record RetrainOutcome(boolean promoted, VersionId candidate, Optional<VersionId> champion, Metrics candidateMetrics,
                             Optional<Metrics> championMetrics, TreeParams params, String reason, String summary) {

    /** CLI exit code: candidate promoted. */
    public static final int EXIT_PROMOTED = 0;
    /** CLI exit code: retrain failed or was refused (too few rows, unreadable lake, ...). */
    public static final int EXIT_FAILED = 1;
    /** CLI exit code: candidate committed but the champion kept serving. */
    public static final int EXIT_KEPT = 3;

    public int exitCode() {
        return promoted ? EXIT_PROMOTED : EXIT_KEPT;
    }
}
