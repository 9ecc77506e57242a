package dev.streamtree.monitor.cli;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.config.Durations;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.config.MetricsOptions;
import dev.streamtree.common.control.ControlCodec;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.monitor.service.MonitorMetrics;
import dev.streamtree.monitor.service.MonitorOptions;
import dev.streamtree.monitor.service.MonitorService;
import dev.streamtree.monitor.topic.TopicTail;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code streamtree monitor}: by default a live view of the monitor's records (model-metrics and control topics);
 * with {@code --serve}, the monitor itself ({@link MonitorService}), for deployments that run it apart from the retrain
 * scheduler.
 */
@Command(name = "monitor", mixinStandardHelpOptions = true,
        description = {"Show live accuracy per model version, drift detections and retrain statuses, refreshing "
                + "(default), or run the monitor service (--serve) that publishes them.",
                "The view reads the model-metrics and control topics from their beginning; --once prints one snapshot "
                        + "(the topics read to their current end) and exits."})
public final class MonitorCommand implements Callable<Integer> {

    @Mixin
    JobOptions job;

    @Mixin
    MetricsOptions metrics;

    @Spec
    CommandSpec spec;

    @Option(names = "--serve", description = "Run the monitor service: join predictions with labels, publish "
            + "model-metrics and drift-detected records; runs until stopped.")
    boolean serve;

    @Option(names = "--once", description = "View: print one snapshot and exit.")
    boolean once;

    @Option(names = "--json", description = "View: print snapshots as JSON objects, one a line.")
    boolean json;

    @Option(names = "--refresh", defaultValue = "2s", paramLabel = "DURATION",
            description = "View: how often to reprint (default: ${DEFAULT-VALUE}).")
    String refresh;

    @Option(names = "--metrics-interval", defaultValue = "5s", paramLabel = "DURATION",
            description = "Serve: how often one model-metrics record per version is published (default: ${DEFAULT-VALUE}).")
    String metricsInterval;

    @Option(names = "--window", defaultValue = "1000", paramLabel = "N",
            description = "Serve: accuracy window, labelled predictions per version (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--detector", defaultValue = "adwin", paramLabel = "NAME",
            description = "Serve: drift detector, adwin or page-hinkley (default: ${DEFAULT-VALUE}).")
    String detector;

    @Option(names = "--group-id", defaultValue = MonitorOptions.DEFAULT_GROUP_ID, paramLabel = "ID",
            description = "Serve: consumer group; a restarted monitor resumes at its offsets (default: ${DEFAULT-VALUE}).")
    String groupId;

    @Override
    public Integer call() throws Exception {
        KafkaSettings kafka = job.kafka();
        Topics topics = job.topics();
        return serve ? serve(kafka, topics) : view(kafka, topics);
    }

    private int serve(KafkaSettings kafka, Topics topics) throws InterruptedException {
        MonitorOptions options = MonitorOptions.defaults().withMetricsInterval(Durations.parse(metricsInterval))
                .withWindow(window).withDetector(MonitorOptions.Detector.parse(detector)).withGroupId(groupId);
        var schema = SchemaCodec.load(job.schema());
        int port = metrics.port();
        PrometheusRegistry registry = new PrometheusRegistry();
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        try (HTTPServer server = port == 0 ? null : MonitorMetrics.serve(registry, port);
             MonitorService monitor = new MonitorService(kafka, topics, schema, options, Clock.systemUTC(), registry).start()) {
            if (server != null) {
                out.println("monitor metrics on http://localhost:" + server.getPort() + "/metrics");
            }
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "monitor-shutdown"));
            out.println("monitor running: " + topics.predictions() + " + " + topics.labels() + " -> "
                    + topics.modelMetrics() + " every " + Durations.format(options.metricsInterval()) + ", drift -> "
                    + topics.control() + "; Ctrl-C to stop");
            out.flush();
            while (!stopped.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
                if (monitor.failure() != null) {
                    throw new IllegalStateException("monitor stopped: " + monitor.failure().getMessage(), monitor.failure());
                }
            }
        }
        return 0;
    }

    private int view(KafkaSettings kafka, Topics topics) {
        Duration every = Durations.parse(refresh);
        PrintWriter out = spec.commandLine().getOut();
        MonitorView view = new MonitorView();
        boolean terminal = System.console() != null && !json && !once;
        try (TopicTail tail = new TopicTail(kafka, List.of(topics.modelMetrics(), topics.control()))) {
            tail.readToEnd(r -> take(view, topics, r));
            while (true) {
                if (terminal) {
                    out.print("\033[H\033[2J");
                }
                out.println(json ? view.json(java.time.Instant.now()) : view.text(java.time.Instant.now()));
                out.flush();
                if (once) {
                    return 0;
                }
                long until = System.nanoTime() + every.toNanos();
                while (System.nanoTime() < until) {
                    tail.poll(Duration.ofMillis(200), r -> take(view, topics, r));
                }
            }
        }
    }

    private static void take(MonitorView view, Topics topics, ConsumerRecord<byte[], byte[]> record) {
        try {
            if (record.topic().equals(topics.modelMetrics())) {
                view.metrics(ModelMetrics.parse(record.value()));
            } else {
                ControlCodec.decode(record.value()).ifPresent(view::control);
            }
        } catch (IllegalArgumentException e) {
            // Another producer's record on a shared topic: not ours to show.
        }
    }
}
