/**
 * The retrain job: {@link dev.streamtree.retrain.RetrainJob} reads labelled events through the catalog
 * ({@code source}), trains and evaluates a candidate ({@code train}), judges it against the champion on the same
 * holdout ({@code gate}), and stages and promotes it in the registry. {@code schedule} runs retrains on a timer and
 * on requests from the control topic; {@code cli} is the command line.
 */
package dev.streamtree.retrain;
