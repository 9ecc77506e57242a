package dev.streamtree.retrain.metrics;

import dev.streamtree.common.control.ControlMessage.Status;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;

/**
 * The retrain scheduler's Prometheus metrics, fed by {@link RetrainScheduler} once per finished run: runs by outcome
 * ({@code promoted}, {@code kept} or {@code failed}) and their duration. Spark's own figures of the retrain job come
 * from Spark's metrics system, not from here.
 */
public final class RetrainMetrics implements RetrainScheduler.Observer {

    public static final String RUNS = "streamtree_retrain_runs";
    public static final String DURATION = "streamtree_retrain_duration_seconds";
    /** The label values of {@code outcome}, all exposed from the start so a dashboard shows zeros, not gaps. */
    public static final List<Status> OUTCOMES = List.of(Status.PROMOTED, Status.KEPT, Status.FAILED);

    private static final double[] DURATION_BUCKETS = {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

    private final Counter runs;
    private final Histogram duration;

    public RetrainMetrics(PrometheusRegistry registry) {
        runs = Counter.builder().name(RUNS).labelNames("outcome")
                .help("Finished retrain runs by outcome: promoted, kept (champion stays) or failed").register(registry);
        duration = Histogram.builder().name(DURATION).unit(Unit.SECONDS).classicOnly()
                .classicUpperBounds(DURATION_BUCKETS).labelNames("outcome")
                .help("Wall time of a retrain run (read, train, evaluate, stage, promote) by outcome").register(registry);
        for (Status outcome : OUTCOMES) {
            runs.labelValues(outcome.wireName()).inc(0);
        }
    }

    /**
     * Serves {@code registry} on {@code http://0.0.0.0:port/metrics} until closed.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static HTTPServer serve(PrometheusRegistry registry, int port) {
        try {
            return HTTPServer.builder().port(port).registry(registry).buildAndStart();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve metrics on port " + port + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void runFinished(Status outcome, Duration took) {
        runs.labelValues(outcome.wireName()).inc();
        duration.labelValues(outcome.wireName()).observe(took.toNanos() / 1e9);
    }
}
