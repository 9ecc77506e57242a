package dev.streamtree.streaming.metrics;

import dev.streamtree.streaming.progress.ConsumerLag;
import dev.streamtree.streaming.progress.StatusBoard;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The streaming job's Prometheus metrics: what the job itself knows, fed by its {@link StatusBoard} (one batch's
 * counts at a time, and the per-partition lag of each progress report). Spark's own figures (input and processing
 * rates, trigger latency, state) come from Spark's metrics system with {@code spark.sql.streaming.metricsEnabled}, not
 * from here. Live accuracy per version and drift are the monitor's metrics ({@code bin/streamtree monitor --serve}).
 */
public final class StreamingMetrics implements StatusBoard.Observer {

    public static final String EVENTS_READ = "streamtree_events_read";
    public static final String EVENTS_TO_LAKE = "streamtree_events_to_lake";
    public static final String DEAD_LETTERS = "streamtree_dead_letters";
    public static final String PREDICTIONS = "streamtree_predictions";
    public static final String UNSCORED_EVENTS = "streamtree_unscored_events";
    public static final String BATCH_DURATION = "streamtree_batch_duration_seconds";
    public static final String CONSUMER_LAG = "streamtree_consumer_lag_records";
    public static final String SERVING_MODEL = "streamtree_serving_model";
    public static final String MODEL_SWAPS = "streamtree_model_swaps";
    public static final String MODEL_REFUSALS = "streamtree_model_refusals";
    public static final String MODEL_LOAD = "streamtree_model_load_seconds";
    public static final String LABELS_TO_LAKE = "streamtree_labels_to_lake";
    public static final String LABEL_DEAD_LETTERS = "streamtree_label_dead_letters";

    private static final double[] BATCH_BUCKETS = {0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120};
    private static final double[] LOAD_BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30};

    private final Counter eventsRead;
    private final Counter eventsToLake;
    private final Counter deadLetters;
    private final Counter predictions;
    private final Counter unscored;
    private final Histogram batchDuration;
    private final Gauge consumerLag;
    private final Info servingModel;
    private final Counter modelSwaps;
    private final Counter modelRefusals;
    private final Histogram modelLoad;
    private final Counter labelsToLake;
    private final Counter labelDeadLetters;
    /** Only the board's calls touch these, and the board serializes them. */
    private long swapsSeen;
    private long refusalsSeen;
    private String versionSeen;

    public StreamingMetrics(PrometheusRegistry registry) {
        eventsRead = Counter.builder().name(EVENTS_READ)
                .help("Records read from the events topic, valid or not").register(registry);
        eventsToLake = Counter.builder().name(EVENTS_TO_LAKE)
                .help("Valid events written to the lake (a replayed batch's rows counted once)").register(registry);
        deadLetters = Counter.builder().name(DEAD_LETTERS).labelNames("reason")
                .help("Records refused by validation and sent to the dead-letter topic, by what was wrong: tombstone, "
                        + "too_large, encoding, json, id, event_time, feature, label, internal").register(registry);
        predictions = Counter.builder().name(PREDICTIONS).labelNames("version")
                .help("Prediction records sent, by the model version that made them").register(registry);
        unscored = Counter.builder().name(UNSCORED_EVENTS)
                .help("Valid events that got no prediction because no model was serving").register(registry);
        batchDuration = Histogram.builder().name(BATCH_DURATION).unit(Unit.SECONDS).classicOnly()
                .classicUpperBounds(BATCH_BUCKETS)
                .help("Wall time of a micro-batch on the driver: model, records, lake commit, catalog").register(registry);
        consumerLag = Gauge.builder().name(CONSUMER_LAG).labelNames("topic", "partition")
                .help("Records in a partition not read yet, at Spark's last progress report").register(registry);
        servingModel = Info.builder().name(SERVING_MODEL + "_info").labelNames("version")
                .help("The model version scoring new batches (absent before the first usable model)").register(registry);
        modelSwaps = Counter.builder().name(MODEL_SWAPS)
                .help("Times a new model version started serving (the first one included)").register(registry);
        modelRefusals = Counter.builder().name(MODEL_REFUSALS)
                .help("Promoted versions refused as invalid (incompatible or unloadable); the serving one kept")
                .register(registry);
        modelLoad = Histogram.builder().name(MODEL_LOAD).unit(Unit.SECONDS).classicOnly()
                .classicUpperBounds(LOAD_BUCKETS)
                .help("Time to check and load a model version that then served (retries included)").register(registry);
        labelsToLake = Counter.builder().name(LABELS_TO_LAKE)
                .help("Valid labels from the labels topic written to the labels table (a replayed batch's counted once)")
                .register(registry);
        labelDeadLetters = Counter.builder().name(LABEL_DEAD_LETTERS).labelNames("reason")
                .help("Label records refused and sent to the dead-letter topic, by what was wrong: tombstone, "
                        + "too_large, encoding, json, id, event_time (labelled_at), label, internal").register(registry);
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
    public void batchDone(StatusBoard.BatchOutcome outcome) {
        eventsRead.inc(outcome.read());
        eventsToLake.inc(outcome.toLake());
        outcome.deadLettersByReason().forEach((reason, count) -> deadLetters.labelValues(reason).inc(count));
        unscored.inc(outcome.unscored());
        if (outcome.modelVersion() != null && outcome.predictions() > 0) {
            predictions.labelValues(outcome.modelVersion()).inc(outcome.predictions());
        }
        batchDuration.observe(outcome.millis() / 1000.0);
        if (outcome.modelSwaps() > swapsSeen) {
            modelSwaps.inc(outcome.modelSwaps() - swapsSeen);
            modelLoad.observe(outcome.modelLoadMillis() / 1000.0);
            swapsSeen = outcome.modelSwaps();
        }
        if (outcome.refusedModels() > refusalsSeen) {
            modelRefusals.inc(outcome.refusedModels() - refusalsSeen);
            refusalsSeen = outcome.refusedModels();
        }
        if (outcome.modelVersion() != null && !outcome.modelVersion().equals(versionSeen)) {
            servingModel.setLabelValues(outcome.modelVersion());
            versionSeen = outcome.modelVersion();
        }
    }

    @Override
    public void labelBatchDone(StatusBoard.LabelOutcome outcome) {
        labelsToLake.inc(outcome.toLake());
        outcome.deadLettersByReason().forEach((reason, count) -> labelDeadLetters.labelValues(reason).inc(count));
    }

    @Override
    public void progress(List<ConsumerLag.PartitionLag> lags) {
        for (ConsumerLag.PartitionLag lag : lags) {
            consumerLag.labelValues(lag.topic(), Integer.toString(lag.partition())).set(lag.lag());
        }
    }
}
