package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.retrain.RetrainConfig;
import dev.streamtree.retrain.gate.GatePolicy;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.SearchGrid;
import dev.streamtree.retrain.train.TrainingWindow;
import picocli.CommandLine.Option;

import java.util.List;

/** Flags of {@code run} and {@code schedule}: what to train on and how to judge it. */
public final class TrainingOptions {

    @Option(names = "--window", paramLabel = "DURATION",
            description = "Train on events of the last DURATION before now, e.g. 24h, 7d (default: 7d).")
    String window;

    @Option(names = "--last-rows", paramLabel = "N", description = "Train on the latest N labelled rows instead of a time window.")
    Long lastRows;

    @Option(names = "--holdout-fraction", defaultValue = "0.2", description = "Latest share of rows by event time held out (default: ${DEFAULT-VALUE}).")
    double holdoutFraction;

    @Option(names = "--validation-fraction", defaultValue = "0.2",
            description = "Latest share of the training rows used to choose hyperparameters when not cross-validating "
                    + "(default: ${DEFAULT-VALUE}).")
    double validationFraction;

    @Option(names = "--min-rows", defaultValue = "500", description = "Refuse to train on fewer labelled rows (default: ${DEFAULT-VALUE}).")
    long minRows;

    @Option(names = "--tolerance", defaultValue = "0.01",
            description = "Promote when candidate >= champion - tolerance on the gate metric (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--gate-metric", defaultValue = "accuracy", description = "accuracy, f1 (weighted) or auc (default: ${DEFAULT-VALUE}).")
    String gateMetric;

    @Option(names = "--max-depths", split = ",", defaultValue = "3,5,8,12", description = "maxDepth candidates (default: ${DEFAULT-VALUE}).")
    List<Integer> maxDepths;

    @Option(names = "--min-instances", split = ",", defaultValue = "1,5,20",
            description = "minInstancesPerNode candidates (default: ${DEFAULT-VALUE}).")
    List<Integer> minInstances;

    @Option(names = "--impurities", split = ",", defaultValue = "gini", description = "impurity candidates (default: ${DEFAULT-VALUE}).")
    List<String> impurities;

    @Option(names = "--cross-validation-below", paramLabel = "ROWS", defaultValue = "20000",
            description = "Choose parameters by k-fold cross-validation when there are fewer training rows than this; "
                    + "0 always uses the validation slice (default: ${DEFAULT-VALUE}).")
    long crossValidationBelowRows;

    @Option(names = "--folds", defaultValue = "5", description = "k of that cross-validation (default: ${DEFAULT-VALUE}).")
    int folds;

    @Option(names = "--imbalance-ratio", defaultValue = "0.5",
            description = "Use class weights when the rarest class has fewer than this share of the commonest's rows (default: ${DEFAULT-VALUE}).")
    double imbalanceRatio;

    @Option(names = "--driver-rows", paramLabel = "ROWS", defaultValue = "200000",
            description = "Collect a window of at most ROWS labelled rows to the driver and train there, without Spark "
                    + "jobs; larger windows train with Spark ML; 0 always uses Spark (default: ${DEFAULT-VALUE}).")
    long driverRows;

    public RetrainConfig config(JobOptions job, boolean force) {
        if (window != null && lastRows != null) {
            throw new IllegalArgumentException("give either --window or --last-rows, not both");
        }
        TrainingWindow trainingWindow = lastRows != null ? TrainingWindow.lastRows(lastRows)
                : TrainingWindow.last(window == null ? RetrainConfig.DEFAULT_WINDOW : Durations.parse(window));
        return RetrainConfig.builder()
                .job(job)
                .window(trainingWindow).holdoutFraction(holdoutFraction).validationFraction(validationFraction)
                .minRows(minRows)
                .gate(new GatePolicy(Metrics.GateMetric.parse(gateMetric), tolerance, force))
                .grid(new SearchGrid(maxDepths, minInstances, impurities))
                .crossValidationBelowRows(crossValidationBelowRows).folds(folds).imbalanceRatio(imbalanceRatio)
                .driverRows(driverRows)
                .build();
    }
}
