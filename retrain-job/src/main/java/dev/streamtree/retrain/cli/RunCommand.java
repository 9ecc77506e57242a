package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.JobOptions;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.RetrainOutcome;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Retrain once: train on labelled lake events, compare with the champion on the same holdout, promote if not worse.",
                "Exit codes: 0 promoted, 3 champion kept, 1 failed or refused, 2 bad arguments."})
public final class RunCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Mixin
    TrainingOptions training;

    @Option(names = "--force", description = "Promote the candidate even when it is worse than the champion.")
    boolean force;

    @Override
    public Integer call() {
        var config = training.config(job, force);
        SparkSession spark = Sessions.create("streamtree-retrain");
        RetrainOutcome outcome = RetrainJob.run(spark, config);
        System.out.print(outcome.summary());
        return outcome.exitCode();
    }
}
