package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.config.MetricsOptions;
import dev.streamtree.retrain.metrics.RetrainMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
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

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--every", paramLabel = "DURATION", required = true, description = "Timer period, e.g. 1h, 30m.")
    String every;

    @Override
    public Integer call() throws InterruptedException {
        Duration period = Durations.parse(every);
        var config = training.config(job, false);
        var kafka = job.kafka();
        int metricsPort = metrics.port();
        SparkSession spark = Sessions.create("streamtree-retrain-scheduler");
        RetrainJob retrain = RetrainJob.create(spark, config);
        CountDownLatch stopped = new CountDownLatch(1);
        PrometheusRegistry registry = new PrometheusRegistry();
        RetrainScheduler.Observer runs = metricsPort == 0 ? RetrainScheduler.Observer.NONE : new RetrainMetrics(registry);
        try (HTTPServer server = metricsPort == 0 ? null : RetrainMetrics.serve(registry, metricsPort);
             ControlChannel channel = new ControlChannel(kafka, job.topics().control());
             RetrainScheduler scheduler = RetrainScheduler.forJob(retrain, channel, period).observedBy(runs).start()) {
            if (server != null) {
                System.out.println("retrain scheduler metrics on http://localhost:" + server.getPort() + "/metrics");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "retrain-scheduler-shutdown"));
            System.out.println("retrain scheduler running: every " + Durations.format(period) + ", requests on "
                    + channel.topic() + "; Ctrl-C to stop");
            stopped.await();
        }
        return 0;
    }
}
