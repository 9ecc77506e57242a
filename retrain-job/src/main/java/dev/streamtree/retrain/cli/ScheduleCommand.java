package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.config.MetricsOptions;
import dev.streamtree.retrain.metrics.RetrainMetrics;
import dev.streamtree.retrain.schedule.TriggerPolicy;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.monitor.service.MonitorOptions;
import dev.streamtree.monitor.service.MonitorService;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "schedule", mixinStandardHelpOptions = true,
        description = {"Retrain every DURATION, on requests and on drift detections from the control topic, and train "
                + "the first model as soon as enough labelled rows exist; one retrain at a time; runs until stopped."})
public final class ScheduleCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Mixin
    TrainingOptions training;

    @Mixin
    MetricsOptions metrics;

    @Option(names = "--every", paramLabel = "DURATION", required = true, description = "Timer period, e.g. 1h, 30m.")
    String every;

    @Option(names = "--drift-retrain", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Retrain from the change point of each drift detected on the control topic (default: on; "
                    + "--no-drift-retrain turns it off).")
    boolean driftRetrain;

    @Option(names = "--drift-min-rows", paramLabel = "N", defaultValue = "500",
            description = "A drift retrain starts once N labelled rows lie at or after the change point (default: ${DEFAULT-VALUE}).")
    long driftMinRows;

    @Option(names = "--drift-wait", paramLabel = "DURATION", defaultValue = "30m",
            description = "Give up a drift retrain (status failed, with the count) when those rows are not there after "
                    + "DURATION (default: ${DEFAULT-VALUE}).")
    String driftWait;

    @Option(names = "--drift-cooldown", paramLabel = "DURATION", defaultValue = "2m",
            description = "Detections within DURATION of one that was retrained are logged and counted, not retrained "
                    + "(default: ${DEFAULT-VALUE}).")
    String driftCooldown;

    @Option(names = "--bootstrap", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With no serving model, train the first one as soon as --bootstrap-min-rows labelled rows "
                    + "exist (default: on).")
    boolean bootstrap;

    @Option(names = "--bootstrap-min-rows", paramLabel = "N", defaultValue = "400",
            description = "Labelled rows the first model waits for (default: ${DEFAULT-VALUE}).")
    long bootstrapMinRows;

    @Option(names = "--monitor", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the monitor in this process (predictions joined with labels, model-metrics and drift-detected "
                    + "records; as 'monitor --serve' with its defaults); --no-monitor when a monitor runs elsewhere (default: on).")
    boolean monitor;

    @Option(names = "--lake-maintenance-interval", paramLabel = "DURATION", defaultValue = "1h",
            description = "Compact and retain the lake's events, labels and predictions tables this often, between "
                    + "retrains, as 'lake compact' and 'lake retain' do (retention from each table's streamtree.retain "
                    + "property); 0 turns it off (default: ${DEFAULT-VALUE}).")
    String lakeMaintenanceInterval;

    /** How often the scheduler maintains the lake, or empty when {@code --lake-maintenance-interval 0}. */
    public java.util.Optional<Duration> lakeMaintenanceInterval() {
        Duration d = "0".equals(lakeMaintenanceInterval.trim()) ? Duration.ZERO : Durations.parse(lakeMaintenanceInterval);
        return d.isZero() ? java.util.Optional.empty() : java.util.Optional.of(d);
    }

    /** Whether the monitor runs in this process. */
    public boolean runsMonitor() {
        return monitor;
    }

    /** The drift and bootstrap triggers these flags describe. */
    public TriggerPolicy triggers() {
        return new TriggerPolicy(driftRetrain, driftMinRows, Durations.parse(driftWait), Durations.parse(driftCooldown),
                bootstrap, bootstrapMinRows, TriggerPolicy.DEFAULT_POLL_EVERY);
    }

    /** The scheduler with the lake maintenance of {@code --lake-maintenance-interval}, when it is on. */
    private RetrainScheduler maintained(RetrainScheduler scheduler, SparkSession spark,
                                        dev.streamtree.retrain.RetrainConfig config) {
        java.util.Optional<Duration> every = lakeMaintenanceInterval();
        if (every.isEmpty()) {
            return scheduler;
        }
        var tables = new dev.streamtree.lake.table.LakeTables(config.catalog(), config.lake(), config.glueRegion());
        return scheduler.maintainedBy(lakePass(spark, dev.streamtree.lake.maintenance.LakeMaintenance.ofLake(tables,
                config.database(), config.table())), every.get());
    }

    /** One pass over each table; a table that does not exist yet is skipped, a failure on one does not stop the rest. */
    public static Runnable lakePass(SparkSession spark, java.util.List<dev.streamtree.lake.maintenance.LakeMaintenance> tables) {
        return () -> {
            for (var maintenance : tables) {
                try {
                    var result = maintenance.run(spark, Clock.systemUTC());
                    org.slf4j.LoggerFactory.getLogger(ScheduleCommand.class).info("lake maintenance of {}",
                            dev.streamtree.lake.maintenance.LakeMaintenance.describe(maintenance.table(), result));
                } catch (RuntimeException e) {
                    if (e.getCause() instanceof org.apache.iceberg.exceptions.NoSuchTableException) {
                        org.slf4j.LoggerFactory.getLogger(ScheduleCommand.class).info(
                                "lake maintenance: no table {} yet", maintenance.table());
                        continue;
                    }
                    org.slf4j.LoggerFactory.getLogger(ScheduleCommand.class).error(
                            "lake maintenance of {} failed: {}", maintenance.table(), e.getMessage(), e);
                }
            }
        };
    }

    @Override
    public Integer call() throws InterruptedException {
        Duration period = Durations.parse(every);
        TriggerPolicy triggers = triggers();
        var config = training.config(job, false);
        var kafka = job.kafka();
        int metricsPort = metrics.port();
        SparkSession spark = Sessions.create("streamtree-retrain-scheduler");
        RetrainJob retrain = RetrainJob.create(spark, config);
        CountDownLatch stopped = new CountDownLatch(1);
        PrometheusRegistry registry = new PrometheusRegistry();
        RetrainScheduler.Observer runs = metricsPort == 0 ? RetrainScheduler.Observer.NONE : new RetrainMetrics(registry);
        try (HTTPServer server = metricsPort == 0 ? null : RetrainMetrics.serve(registry, metricsPort);
             MonitorService monitorService = monitor ? new MonitorService(kafka, job.topics(),
                     SchemaCodec.load(config.schemaLocation()), MonitorOptions.defaults(), Clock.systemUTC(), registry)
                     .checkingHoldouts(retrain.registry())
                     .start() : null;
             ControlChannel channel = new ControlChannel(kafka, job.topics().control());
             RetrainScheduler scheduler = maintained(RetrainScheduler.forJob(retrain, channel, period, triggers)
                     .observedBy(runs), spark, config).start()) {
            if (server != null) {
                System.out.println("retrain scheduler metrics on http://localhost:" + server.getPort() + "/metrics");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "retrain-scheduler-shutdown"));
            System.out.println("retrain scheduler running: every " + Durations.format(period) + ", requests on "
                    + channel.topic() + ", drift retraining " + (triggers.drift() ? "on" : "off") + ", bootstrap "
                    + (triggers.bootstrap() ? "on" : "off") + ", monitor " + (monitorService != null ? "in-process" : "off")
                    + ", lake maintenance " + lakeMaintenanceInterval().map(d -> "every " + Durations.format(d)).orElse("off")
                    + "; Ctrl-C to stop");
            while (!stopped.await(1, TimeUnit.SECONDS)) {
                if (monitorService != null && monitorService.failure() != null) {
                    throw new IllegalStateException("monitor stopped: " + monitorService.failure().getMessage(),
                            monitorService.failure());
                }
            }
        }
        return 0;
    }
}
