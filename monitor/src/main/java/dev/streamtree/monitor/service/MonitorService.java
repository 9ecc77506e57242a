package dev.streamtree.monitor.service;

import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.control.ControlCodec;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.event.ValidationResult;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.label.LabelRecord;
import dev.streamtree.common.prediction.DeadLetterHeaders;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.monitor.DriftDetection;
import dev.streamtree.monitor.LiveAccuracy;
import dev.streamtree.monitor.drift.HoldoutGap;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.monitor.accuracy.AccuracySnapshot;
import dev.streamtree.monitor.accuracy.LabelledPrediction;
import dev.streamtree.monitor.accuracy.Tally;
import dev.streamtree.monitor.drift.EventTimeLog;
import dev.streamtree.monitor.join.LabelJoin;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The monitor of the feedback loop, as a Kafka service: joins the predictions topic with labels (the labels topic,
 * and labels inside events on the events topic) as they arrive, keeps live accuracy and a drift detector per model
 * version ({@link LiveAccuracy}), publishes one {@link ModelMetrics} record per version with labelled predictions
 * every {@link MonitorOptions#metricsInterval()} on the model-metrics topic, and each drift detection as a
 * {@link ControlMessage.DriftDetected} on the control topic. No Spark.
 *
 * <p>Lifecycle: construct, {@link #start()} (once; starts one consumer thread), {@link #close()} (stops the thread,
 * publishes a last model-metrics round, closes the clients; idempotent). The {@link Clock} stamps records and paces
 * publication.
 *
 * <p>Delivery and restarts. Offsets of the consumer group {@link MonitorOptions#groupId()} are committed after the
 * records of a poll were handled and everything they produced (dead letters, drift records) was flushed, so nothing
 * read is lost to a crash, and a restart resumes there (from the earliest offsets for a new group). All other state
 * is in memory and a restart loses it: labels and predictions waiting to be joined (a label whose prediction arrives
 * after the restart is not joined), the accuracy windows and counts (accuracy "since promotion" restarts from the
 * restart), and the detectors' windows. An invalid labels-topic record is dead-lettered (original key and value, the
 * streaming job's {@link DeadLetterHeaders}) or only counted, per {@link MonitorOptions#invalidLabels()}; it never
 * stops the service. A prediction that cannot be parsed is counted and logged.
 *
 * <p>Failures: a Kafka error that the clients do not retry themselves ends the consumer thread; it is logged and
 * reported by {@link #failure()}, and {@link #close()} rethrows nothing.
 */
public final class MonitorService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MonitorService.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaSettings kafka;
    private final Topics topics;
    private final LabelSpec classes;
    private final EventValidator validator;
    private final MonitorOptions options;
    private final Clock clock;
    private final MonitorMetrics metrics;
    private final LiveAccuracy accuracy;
    private final LabelJoin join;
    private final Map<String, Integer> detectionsByVersion = new HashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private KafkaConsumer<byte[], byte[]> consumer;
    private Producer<byte[], byte[]> producer;
    private Thread thread;
    private volatile boolean stopping;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Status status = Status.EMPTY;
    private long invalidLabels;
    private long deadLettered;
    private long invalidPredictions;
    private long metricsPublished;
    private long driftsPublished;
    private Instant nextPublish;

    /**
     * @param kafka    how to reach the cluster
     * @param topics   predictions, labels and events are read; model-metrics, control and dead letters written
     * @param schema   the event schema; it must have a label with classes (labels are validated against them)
     * @param options  intervals, window, detector, capacities, invalid-label handling, consumer group
     * @param clock    stamps records ({@code at}, {@code detected_at}) and paces publication
     * @param registry where the {@link MonitorMetrics} are registered (the caller serves it)
     * @throws IllegalArgumentException when the schema has no label
     */
    public MonitorService(KafkaSettings kafka, Topics topics, EventSchema schema, MonitorOptions options, Clock clock,
                          PrometheusRegistry registry) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.topics = Objects.requireNonNull(topics, "topics");
        this.classes = schema.labelSpec().orElseThrow(() -> new IllegalArgumentException("schema '" + schema.name()
                + "' has no label: the monitor needs the classes to validate labels against"));
        this.validator = new EventValidator(schema);
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = new MonitorMetrics(Objects.requireNonNull(registry, "registry"));
        this.accuracy = new LiveAccuracy(options.window(), options.detector().factory(), EventTimeLog.DEFAULT_CAPACITY,
                clock);
        this.join = new LabelJoin(options.labelCapacity(), options.predictionCapacity());
    }

    /** A service with its own metrics registry (not served). */
    public static MonitorService create(KafkaSettings kafka, Topics topics, EventSchema schema, MonitorOptions options) {
        return new MonitorService(kafka, topics, schema, options, Clock.systemUTC(), new PrometheusRegistry());
    }

    /** Called on the consumer thread; must not block. */
    public interface Listener {
        /** One publication round: the model-metrics records just sent. */
        default void metricsPublished(List<ModelMetrics> records) {
        }

        /** A drift detection just sent to the control topic. */
        default void driftDetected(ControlMessage.DriftDetected detection) {
        }
    }

    /**
     * Checks each version's first labelled predictions against the holdout accuracy in its registry metadata
     * ({@link LiveAccuracy#checkingHoldouts}, {@link HoldoutGap#defaults()}), so a version that is wrong from its
     * first prediction is reported too. A version whose metadata cannot be read is not checked (logged). Call before
     * {@link #start()}.
     */
    public MonitorService checkingHoldouts(ModelRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        accuracy.checkingHoldouts(version -> {
            try {
                ModelMetadata metadata = registry.metadata(version);
                Double holdoutAccuracy = metadata.metrics().get("accuracy");
                if (holdoutAccuracy == null || metadata.holdoutRows() < 1) {
                    return Optional.empty();
                }
                return Optional.of(new LiveAccuracy.Holdout(holdoutAccuracy, metadata.holdoutRows()));
            } catch (RuntimeException e) {
                LOG.warn("version {}: no holdout figures ({}); its first predictions are not checked against them",
                        version, e.getMessage());
                return Optional.empty();
            }
        }, HoldoutGap.defaults());
        return this;
    }

    /** Adds a listener; call before {@link #start()}. */
    public MonitorService observedBy(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Creates the model-metrics topic, log-compacted, when it does not exist, connects and starts the consumer thread.
     *
     * @throws IllegalStateException when started twice or after close
     * @throws org.apache.kafka.common.KafkaException when the topic cannot be created or the clients cannot be built
     */
    public MonitorService start() {
        synchronized (lifecycle) {
            if (thread != null || closed) {
                throw new IllegalStateException("monitor service already " + (closed ? "closed" : "started"));
            }
            createModelMetricsTopic(kafka, topics.modelMetrics());
            Properties consumerProps = kafka.toProperties();
            consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
            consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            Properties producerProps = kafka.toProperties();
            producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
            producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer());
            List<String> inputs = new ArrayList<>(List.of(topics.predictions(), topics.labels()));
            if (options.inlineLabels()) {
                inputs.add(topics.events());
            }
            consumer.subscribe(inputs);
            nextPublish = clock.instant().plus(options.metricsInterval());
            thread = new Thread(this::run, "streamtree-monitor");
            thread.setDaemon(true);
            thread.start();
            LOG.info("monitor reading {} (group {}), publishing accuracy to {} every {} ms and drift to {}", inputs,
                    options.groupId(), topics.modelMetrics(), options.metricsInterval().toMillis(), topics.control());
            return this;
        }
    }

    /**
     * Creates {@code topic} log-compacted (one partition; the broker's default replication) unless it exists. Compaction
     * keeps the latest record per key, i.e. per version, which is what readers of the topic want.
     */
    public static void createModelMetricsTopic(KafkaSettings kafka, String topic) {
        try (Admin admin = Admin.create(kafka.toProperties())) {
            if (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
                return;
            }
            NewTopic compacted = new NewTopic(topic, java.util.Optional.of(1), java.util.Optional.empty())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(compacted)).all().get(30, TimeUnit.SECONDS);
            LOG.info("created compacted topic {}", topic);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new org.apache.kafka.common.KafkaException("cannot create topic " + topic + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new org.apache.kafka.common.KafkaException("cannot create topic " + topic + ": no answer in 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.apache.kafka.common.KafkaException("interrupted while creating topic " + topic, e);
        }
    }

    private void run() {
        try {
            while (!stopping) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    handle(record);
                }
                Instant now = clock.instant();
                if (!now.isBefore(nextPublish)) {
                    publishMetrics();
                    nextPublish = now.plus(options.metricsInterval());
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    consumer.commitSync();
                }
                updateStatus();
            }
        } catch (WakeupException e) {
            if (!stopping) {
                fail(e);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            try {
                publishMetrics();
                producer.flush();
                updateStatus();
            } catch (RuntimeException e) {
                LOG.warn("monitor could not publish its last model-metrics round: {}", e.toString());
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void fail(Throwable e) {
        failure = e;
        LOG.error("monitor stopped: {}", e.toString(), e);
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        String topic = record.topic();
        if (topic.equals(topics.predictions())) {
            Prediction prediction;
            List<LabelledPrediction> out;
            try {
                prediction = Prediction.parse(record.value() == null ? "null"
                        : new String(record.value(), StandardCharsets.UTF_8));
                out = join.prediction(prediction);
            } catch (IllegalArgumentException e) {
                invalidPredictions++;
                LOG.warn("monitor skips an unreadable prediction at {}-{}@{}: {}", topic, record.partition(),
                        record.offset(), e.getMessage());
                return;
            }
            count(out);
        } else if (topic.equals(topics.labels())) {
            LabelRecord label;
            try {
                label = LabelRecord.parse(record.key(), record.value(), classes, Instant.ofEpochMilli(record.timestamp()));
            } catch (IllegalArgumentException e) {
                refuseLabel(record, e.getMessage());
                return;
            }
            count(join.label(label));
        } else if (topic.equals(topics.events())) {
            if (validator.validate(record.key(), record.value()) instanceof ValidationResult.Valid valid
                    && valid.event().label() != null) {
                Instant labelledAt = record.timestamp() >= 0 ? Instant.ofEpochMilli(record.timestamp())
                        : valid.event().eventTime();
                count(join.label(new LabelRecord(valid.event().id(), valid.event().label(), labelledAt)));
            }
            // Invalid events are the streaming job's to dead-letter.
        }
    }

    private void refuseLabel(ConsumerRecord<byte[], byte[]> record, String reason) {
        invalidLabels++;
        metrics.invalidLabel();
        LOG.warn("invalid label at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), reason);
        if (options.invalidLabels() == MonitorOptions.InvalidLabels.DEAD_LETTER) {
            ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(topics.deadLetters(), null, record.key(),
                    record.value());
            header(dead, DeadLetterHeaders.REASON, reason);
            header(dead, DeadLetterHeaders.SOURCE_TOPIC, record.topic());
            header(dead, DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(record.partition()));
            header(dead, DeadLetterHeaders.SOURCE_OFFSET, Long.toString(record.offset()));
            header(dead, DeadLetterHeaders.FAILED_AT, clock.instant().toString());
            producer.send(dead, (metadata, e) -> {
                if (e != null) {
                    LOG.error("cannot dead-letter the invalid label at {}-{}@{}: {}", record.topic(), record.partition(),
                            record.offset(), e.toString());
                }
            });
            deadLettered++;
        }
    }

    private static void header(ProducerRecord<byte[], byte[]> record, String name, String value) {
        record.headers().add(new RecordHeader(name, value.getBytes(StandardCharsets.UTF_8)));
    }

    private void count(List<LabelledPrediction> labelled) {
        for (LabelledPrediction p : labelled) {
            metrics.joined(p.version().toString(), 1);
            accuracy.record(p).ifPresent(this::publishDrift);
        }
    }

    private void publishDrift(DriftDetection d) {
        String version = d.version().toString();
        ControlMessage.DriftDetected message = new ControlMessage.DriftDetected(
                ControlMessage.DriftDetected.idFor(version, d.detectedAt()), version, d.detector(), d.detectedAt(),
                d.changePoint(), d.changePointExact(), d.errorBefore(), d.errorAfter(), d.labelled(), d.itemsAfterChange());
        producer.send(new ProducerRecord<>(topics.control(), message.requestId().getBytes(StandardCharsets.UTF_8),
                ControlCodec.encode(message)), (metadata, e) -> {
            if (e != null) {
                LOG.error("cannot publish drift detection {}: {}", message.requestId(), e.toString());
            }
        });
        detectionsByVersion.merge(version, 1, Integer::sum);
        driftsPublished++;
        metrics.driftDetected(version);
        LOG.warn("drift detected in {} by {}: error {} -> {} after {} labelled predictions; change point {} ({}), "
                        + "{} items after it", version, d.detector(), String.format(java.util.Locale.ROOT, "%.3f", d.errorBefore()),
                String.format(java.util.Locale.ROOT, "%.3f", d.errorAfter()), d.labelled(), d.changePoint(),
                d.changePointExact() ? "exact" : "the oldest time still held", d.itemsAfterChange());
        for (Listener listener : listeners) {
            listener.driftDetected(message);
        }
    }

    private void publishMetrics() {
        Instant at = clock.instant();
        List<ModelMetrics> round = new ArrayList<>();
        for (AccuracySnapshot s : accuracy.snapshots()) {
            if (s.labelled() == 0) {
                continue;
            }
            round.add(toRecord(s, at, detectionsByVersion.getOrDefault(s.version().toString(), 0)));
            metrics.accuracy(s);
        }
        for (ModelMetrics record : round) {
            producer.send(new ProducerRecord<>(topics.modelMetrics(), record.modelVersion().getBytes(StandardCharsets.UTF_8),
                    record.toJson()), (metadata, e) -> {
                if (e != null) {
                    LOG.warn("cannot publish model metrics of {}: {}", record.modelVersion(), e.toString());
                }
            });
        }
        metricsPublished += round.size();
        for (Listener listener : listeners) {
            listener.metricsPublished(round);
        }
    }

    /** The model-metrics record of one snapshot. */
    static ModelMetrics toRecord(AccuracySnapshot s, Instant at, int detections) {
        Map<String, Double> recall = new LinkedHashMap<>();
        for (Map.Entry<String, Tally> e : s.windowRecall().entrySet()) {
            recall.put(e.getKey(), e.getValue().rate());
        }
        return new ModelMetrics(s.version().toString(), at, s.windowCapacity(), s.window().total(), s.window().correct(),
                s.sincePromotion().total(), s.sincePromotion().correct(), recall, s.latestEventTime(), detections);
    }

    private void updateStatus() {
        LabelJoin.Counts counts = join.counts();
        metrics.labelsWaiting(counts.labelsWaiting());
        status = new Status(counts, invalidLabels, deadLettered, invalidPredictions, metricsPublished, driftsPublished);
    }

    /** The service's counters after its last poll (for tests, the demo and logs). */
    public Status status() {
        return status;
    }

    /** Live accuracy per version at this moment. */
    public List<AccuracySnapshot> snapshots() {
        return accuracy.snapshots();
    }

    /** The error that ended the consumer thread, or null while it runs (or after a clean close). */
    public Throwable failure() {
        return failure;
    }

    /**
     * @param join               the join's counters
     * @param invalidLabels      labels-topic records refused by validation
     * @param deadLettered       of those, sent to the dead-letter topic
     * @param invalidPredictions predictions-topic records that could not be read
     * @param metricsPublished   model-metrics records sent
     * @param driftsPublished    drift-detected records sent
     */
    public record Status(LabelJoin.Counts join, long invalidLabels, long deadLettered, long invalidPredictions,
                         long metricsPublished, long driftsPublished) {
        static final Status EMPTY = new Status(new LabelJoin.Counts(0, 0, 0, 0, 0, 0, 0, 0), 0, 0, 0, 0, 0);
    }

    /** Stops the consumer thread after its current poll, publishes a last round of model metrics, closes the clients. */
    @Override
    public void close() {
        Thread running;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            stopping = true;
            running = thread;
        }
        if (running != null) {
            consumer.wakeup();
            try {
                running.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(5));
        }
    }
}
