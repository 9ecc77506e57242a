package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = "Retrain every DURATION and on requests from the control topic, one retrain at a time; runs until stopped.")
public final class ScheduleCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Mixin
    TrainingOptions training;

    @Option(names = "--every", paramLabel = "DURATION", required = true, description = "Timer period, e.g. 1h, 30m.")
    String every;

    @Override
    public Integer call() throws InterruptedException {
        Duration period = Durations.parse(every);
        var config = training.config(job, false);
        var kafka = job.kafka();
        SparkSession spark = Sessions.create("streamtree-retrain-scheduler");
        RetrainJob retrain = RetrainJob.create(spark, config);
        CountDownLatch stopped = new CountDownLatch(1);
        try (ControlChannel channel = new ControlChannel(kafka, job.topics().control());
             RetrainScheduler scheduler = RetrainScheduler.forJob(retrain, channel, period).start()) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "retrain-scheduler-shutdown"));
            System.out.println("retrain scheduler running: every " + Durations.format(period) + ", requests on "
                    + channel.topic() + "; Ctrl-C to stop");
            stopped.await();
        }
        return 0;
    }
}
