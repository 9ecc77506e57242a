package dev.streamtree.launcher.demo;

import dev.streamtree.ingest.cli.DurationConverter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole loop locally on embedded defaults: Kafka broker, streaming job, retrain scheduler and",
                "the Agrawal generator with a concept drift part-way, shown live; ends with work/demo/report.html.",
                "Ctrl-C ends it early (the report is still written)."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", defaultValue = "5m", converter = DurationConverter.class,
            description = "How long to generate events (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--rate", defaultValue = "200", description = "Events per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seed", defaultValue = "42", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--function", defaultValue = "1", description = "Agrawal function before the drift (default: ${DEFAULT-VALUE}).")
    int function;

    @Option(names = "--drift-to", defaultValue = "3", description = "Agrawal function after the drift; 0 = no drift (default: ${DEFAULT-VALUE}).")
    int driftTo;

    @Option(names = "--drift-at", defaultValue = "0.4", description = "When the drift happens, as a fraction of --duration (default: ${DEFAULT-VALUE}); held until a model has served for 30 s.")
    double driftAt;

    @Option(names = "--retrain-every", defaultValue = "45s", converter = DurationConverter.class,
            description = "Retrain timer (default: ${DEFAULT-VALUE}).")
    Duration retrainEvery;

    @Option(names = "--window", defaultValue = "45s", converter = DurationConverter.class,
            description = "Retrain on the latest rows this much time produces at --rate (default: ${DEFAULT-VALUE}).")
    Duration window;

    // 1 s, not the streaming job's 2 s: the lake's latency is most of a drift retrain's wait for post-change rows, and
    // at the demo's 200 events/s a batch takes about 0.35 s here.
    @Option(names = "--trigger-interval", defaultValue = "1s", converter = DurationConverter.class,
            description = "Streaming micro-batch interval (default: ${DEFAULT-VALUE}).")
    Duration trigger;

    @Option(names = "--bad-every", defaultValue = "2000",
            description = "Send one invalid record every N events to show the dead-letter path; 0 = none (default: ${DEFAULT-VALUE}).")
    int badEvery;

    @Option(names = "--status-every", defaultValue = "5s", converter = DurationConverter.class,
            description = "Dashboard line interval (default: ${DEFAULT-VALUE}).")
    Duration statusEvery;

    @Option(names = "--port", defaultValue = "0", description = "Embedded broker port; 0 = any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--streaming-metrics-port", defaultValue = "9464",
            description = "Streaming job's Prometheus metrics on http://localhost:PORT/metrics; 0 = off (default: ${DEFAULT-VALUE}).")
    int streamingMetricsPort;

    @Option(names = "--scheduler-metrics-port", defaultValue = "9465",
            description = "Retrain scheduler's Prometheus metrics on http://localhost:PORT/metrics; 0 = off (default: ${DEFAULT-VALUE}).")
    int schedulerMetricsPort;

    @Option(names = "--label-delay", defaultValue = "0s", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Send each label to the labels topic this long after its event instead of inside it; 0s = inline "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration labelDelay;

    @Option(names = "--work-dir", defaultValue = "work/demo", description = "Lake, registry, checkpoints and report; emptied first (default: ${DEFAULT-VALUE}).")
    Path workDir;

    @Option(names = "--real-time", description = "Score with a Spark real-time query (milliseconds per event; holds "
            + "one task slot per events partition); the lake stays a micro-batch query beside it.")
    boolean realTime;

    @Override
    public Integer call() throws Exception {
        DemoRun run = new DemoRun(new DemoSettings(workDir, duration, rate, seed, function, driftTo, driftAt, retrainEvery,
                window, trigger, badEvery, statusEvery, port,
                new DemoSettings.MetricsPorts(streamingMetricsPort, schedulerMetricsPort), labelDelay), System.out);
        if (realTime) {
            run.realTime(Duration.ofMinutes(5));
        }
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            run.requestStop();
            try {
                finished.await(90, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run.run();
            return 0;
        } finally {
            finished.countDown();
        }
    }
}
