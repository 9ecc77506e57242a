package dev.streamtree.launcher.demo;

import dev.streamtree.common.control.ControlCodec;
import dev.streamtree.common.control.ControlMessage;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.ingest.generate.GeneratedRecords;
import dev.streamtree.ingest.generate.RatePacer;
import dev.streamtree.ingest.send.DelayedLabels;
import dev.streamtree.ingest.send.EventSender;
import dev.streamtree.ingest.send.ProducerSettings;
import dev.streamtree.ingest.send.SendReport;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import dev.streamtree.model.fs.LocalFileSystems;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.monitor.service.MonitorOptions;
import dev.streamtree.monitor.service.MonitorService;
import dev.streamtree.retrain.RetrainConfig;
import dev.streamtree.retrain.RetrainJob;
import dev.streamtree.retrain.metrics.RetrainMetrics;
import dev.streamtree.retrain.schedule.ControlChannel;
import dev.streamtree.retrain.schedule.RetrainScheduler;
import dev.streamtree.retrain.schedule.TriggerPolicy;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.realtime.RealTimeConfig;
import dev.streamtree.streaming.realtime.RealTimeJob;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.metrics.StreamingMetrics;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import dev.streamtree.streaming.progress.StreamingStatus;
import org.apache.commons.io.file.PathUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The whole loop in one process: embedded broker, streaming job, retrain scheduler and the Agrawal generator
 * with a drift, watched live, ending in a report. Every piece is the production code; only the wiring is here.
 */
public final class DemoRun {

    private static final Logger LOG = LoggerFactory.getLogger(DemoRun.class);
    private static final Duration BUCKET = Duration.ofSeconds(5);
    /** How long a model serves before the drift is let through: the window of the report's pre-drift accuracy. */
    static final Duration PRE_DRIFT = Duration.ofSeconds(30);
    /** How often the demo's monitor publishes its figures. */
    private static final Duration MONITOR_INTERVAL = Duration.ofSeconds(1);
    /** The longest the generator waits for the streaming job's first micro-batch. */
    private static final Duration FIRST_BATCH_WAIT = Duration.ofMinutes(2);

    private final DemoSettings settings;
    private final PrintStream out;
    private final AtomicBoolean stopRequested = new AtomicBoolean();
    private final List<DemoReport.Retrain> retrains = new CopyOnWriteArrayList<>();
    private final AtomicLong badRecordsSent = new AtomicLong();
    private volatile Instant origin;
    /** When the streaming job was first seen serving a model (the status loop's poll). */
    private volatile Instant firstServing;
    /** The second the labels switched function (after any hold), or -1. */
    private volatile long driftSecond = -1;
    /** Real-time mode's checkpoint interval, or null for micro-batch scoring. */
    private Duration realTimeCheckpointInterval;
    private volatile RealTimeJob realTimeJob;
    private volatile Observer observer = new Observer() { };

    /**
     * Sees what the run produced, record by record (the adaptation benchmark scores from it). Called on the generator
     * thread (events, in generation order) and on the topic readers' threads; must be quick and thread-safe.
     */
    public interface Observer {
        /** An event just generated, before it is sent. */
        default void onEvent(AgrawalGenerator.Event event) {
        }

        /** A prediction read from the predictions topic (at-least-once: repeats possible). */
        default void onPrediction(Prediction prediction) {
        }

        /** A record read from the control topic (requests, statuses, drift detections). */
        default void onControl(ControlMessage message) {
        }
    }

    /** Hands every event, prediction and control record to {@code observer}. */
    public DemoRun observedBy(Observer observer) {
        this.observer = java.util.Objects.requireNonNull(observer, "observer");
        return this;
    }

    public DemoRun(DemoSettings settings, PrintStream out) {
        this.settings = settings;
        this.out = out;
    }

    /**
     * Scores in real-time mode ({@code --real-time}): a Spark real-time query with this checkpoint interval beside the
     * lake's micro-batch query. Spark then gets {@value #REAL_TIME_SLOTS} task slots: two held by the scoring query (one
     * per events partition), the rest for the lake's micro-batches and the retrains.
     */
    public DemoRun realTime(Duration checkpointInterval) {
        this.realTimeCheckpointInterval = checkpointInterval;
        return this;
    }

    private static final int REAL_TIME_SLOTS = 5;

    /** Ends the run early (Ctrl-C); the report is still written. */
    public void requestStop() {
        stopRequested.set(true);
    }

    /** Runs the demo and returns its report (also written to the work directory). */
    public DemoReport run() throws Exception {
        Path work = settings.workDir().toAbsolutePath();
        deleteRecursively(work);
        Files.createDirectories(work);
        Topics topics = Topics.defaults();
        out.println("[demo] starting an embedded Kafka broker and local Spark; work directory " + settings.workDir());
        try (EmbeddedKafka kafka = EmbeddedKafka.start(settings.brokerPort())) {
            // The monitor creates its model-metrics topic itself, log-compacted.
            kafka.createTopics(2, topics.all().stream().filter(t -> !t.equals(topics.modelMetrics())).toList());
            KafkaSettings kafkaSettings = KafkaSettings.of(kafka.bootstrapServers());
            out.println("[demo] Kafka at " + kafka.bootstrapServers() + " (topics " + topics.all() + ")");
            SparkSession spark = session(work, realTimeCheckpointInterval == null ? "local[*]" : "local[" + REAL_TIME_SLOTS + "]");
            try {
                return runLoop(spark, kafkaSettings, topics, work);
            } finally {
                spark.stop();
            }
        }
    }

    private DemoReport runLoop(SparkSession spark, KafkaSettings kafka, Topics topics, Path work) throws Exception {
        String lake = work.resolve("lake").toString();
        String registryRoot = work.resolve("registry").toString();
        StreamingConfig streamingConfig = StreamingConfig.defaults(kafka)
                .withLocations(lake, registryRoot, work.resolve("checkpoints/streaming").toString())
                .withTrigger(settings.trigger(), 0)
                // Every batch committed as it is journaled (the job's default, 10 s, holds post-change rows back from a
                // drift retrain for up to 10 s; the demo's minutes of snapshots are no burden). Half the trigger: with
                // the interval equal to it, a batch that ended a little less than a trigger after the last commit
                // waited up to a second for the interval to pass.
                .withLakeCommitInterval(settings.trigger().dividedBy(2));
        // The window counts rows, not wall time: when the machine is busy the lake lags behind the clock, and a
        // time window would then hold too few rows. rate x window is the same data when it keeps up.
        long windowRows = settings.rate() * settings.window().toSeconds();
        RetrainConfig retrainConfig = RetrainConfig.builder().lake(lake).registry(registryRoot)
                .window(TrainingWindow.lastRows(windowRows))
                // the retrain's own grid (depths 3-12, leaf minimums 1-20): on the driver its 15 fits take about a
                // second for 9,000 rows, where the demo's former two depths with leaf minimum 1 overfit the noise
                .minRows(Math.min(1000, windowRows / 4))
                .build();

        // Each job its own registry and endpoint, as when they run apart under spark-submit.
        PrometheusRegistry streamingRegistry = new PrometheusRegistry();
        PrometheusRegistry schedulerRegistry = new PrometheusRegistry();
        DemoSettings.MetricsPorts ports = settings.metricsPorts();
        try (HTTPServer streamingMetrics = ports.streaming() == 0 ? null : StreamingMetrics.serve(streamingRegistry, ports.streaming());
             HTTPServer schedulerMetrics = ports.scheduler() == 0 ? null : RetrainMetrics.serve(schedulerRegistry, ports.scheduler())) {
            if (streamingMetrics != null) {
                out.println("[demo] streaming metrics: curl http://localhost:" + streamingMetrics.getPort() + "/metrics");
            }
            if (schedulerMetrics != null) {
                out.println("[demo] retrain scheduler metrics: curl http://localhost:" + schedulerMetrics.getPort() + "/metrics");
            }
            return runJobs(spark, kafka, topics, work, streamingConfig, retrainConfig, windowRows,
                    new StreamingMetrics(streamingRegistry), new RetrainMetrics(schedulerRegistry), schedulerRegistry);
        }
    }

    private DemoReport runJobs(SparkSession spark, KafkaSettings kafka, Topics topics, Path work,
                               StreamingConfig streamingConfig, RetrainConfig retrainConfig, long windowRows,
                               StreamingMetrics streamingMetrics, RetrainMetrics schedulerMetrics,
                               PrometheusRegistry monitorRegistry) throws Exception {
        String registryRoot = retrainConfig.registry();
        StreamingJob job;
        if (realTimeCheckpointInterval == null) {
            job = StreamingJob.start(spark, streamingConfig, streamingMetrics);
        } else {
            realTimeJob = RealTimeJob.start(spark, streamingConfig, new RealTimeConfig(realTimeCheckpointInterval,
                    Duration.ofMillis(100), RealTimeConfig.beside(streamingConfig.checkpoint())), streamingMetrics);
            job = realTimeJob.lakeJob();
        }
        out.println("[demo] streaming job running: " + topics.events() + " -> lake + " + topics.predictions()
                + ", trigger " + settings.trigger().toMillis() + " ms" + (realTimeJob == null ? ""
                : "; scoring in real-time mode (checkpoint every " + realTimeCheckpointInterval.toSeconds()
                + " s, 2 task slots held)"));
        try (ControlChannel control = new ControlChannel(kafka, topics.control());
             RetrainScheduler scheduler = RetrainScheduler.forJob(RetrainJob.create(spark, retrainConfig), control,
                     settings.retrainEvery(), TriggerPolicy.defaults()).observedBy(schedulerMetrics).start()) {
            out.println("[demo] retrain scheduler running: every " + settings.retrainEvery().toSeconds() + " s on the latest "
                    + windowRows + " labelled events (" + settings.window().toSeconds() + " s at " + settings.rate()
                    + " events/s); first model at " + TriggerPolicy.DEFAULT_BOOTSTRAP_MIN_ROWS
                    + " labelled rows; a drift detection retrains from its change point once "
                    + TriggerPolicy.DEFAULT_DRIFT_MIN_ROWS + " labelled rows follow it");
            AccuracyTimeline timeline = new AccuracyTimeline();
            MonitorFigures figures = new MonitorFigures(() -> origin, BUCKET, this::onDrift);
            // The demo runs the monitor itself (its metrics on the scheduler's endpoint), so a scheduler that runs one
            // in-process must have it off here. It and the tails start before the generator, so that their clients'
            // start-up (class loading, connections: about a second of both cores) is not spent beside the first
            // batches of events.
            try (MonitorService monitor = new MonitorService(kafka, topics, SchemaCodec.load("builtin:agrawal"),
                         MonitorOptions.defaults().withMetricsInterval(MONITOR_INTERVAL), Clock.systemUTC(), monitorRegistry)
                         .checkingHoldouts(FileSystemModelRegistry.open(registryRoot, spark.sparkContext().hadoopConfiguration()))
                         .observedBy(figures).start();
                 Tail predictions = new Tail(kafka, topics.predictions(), r -> score(timeline, r));
                 Tail statuses = new Tail(kafka, topics.control(), this::onControl)) {
                out.println("[demo] monitor running: predictions joined with labels -> " + topics.modelMetrics()
                        + ", drift detections -> " + topics.control());
                awaitFirstBatch(job);
                awaitWarmUp(scheduler);
                SendReport sent = generate(kafka, topics, timeline, job, figures);
                out.println("[demo] generator finished: " + sent.summary());
                awaitCatchUp(job, sent.sent() + badRecordsSent.get(), timeline);
                awaitMonitor(monitor);
            }
            return finish(spark, job, timeline, figures, registryRoot, work, topics, kafka);
        } finally {
            if (realTimeJob != null) {
                realTimeJob.stop();
            } else {
                job.stop();
            }
        }
    }

    private SendReport generate(KafkaSettings kafka, Topics topics, AccuracyTimeline timeline, StreamingJob job,
                                MonitorFigures figures) throws Exception {
        DriftPlan plan = settings.driftTo() == 0 ? DriftPlan.none(settings.function())
                : new DriftPlan(settings.function(), settings.driftTo(), -1, Duration.ofSeconds(settings.driftSecond()));
        EventValidator validator = new EventValidator(SchemaCodec.load("builtin:agrawal"));
        SendReport[] result = new SendReport[1];
        Exception[] failure = new Exception[1];
        Duration labelDelay = settings.labelDelay();
        // The producers connect and fetch the topic's metadata before the clock starts: otherwise the first second's
        // events wait in the generator while they do, and reach the job in one late burst.
        try (Producer<String, byte[]> producer = ProducerSettings.create(kafka);
             Producer<String, byte[]> badProducer = new KafkaProducer<>(kafka.toProperties(), new StringSerializer(), new ByteArraySerializer());
             DelayedLabels labels = labelDelay.isZero() ? null : new DelayedLabels(producer, topics.labels(), labelDelay, Clock.systemUTC())) {
            ProducerSettings.requireTopic(kafka, producer, topics.events());
            badProducer.partitionsFor(topics.events());
            origin = Instant.now();
            // The drift waits for a model that has served for PRE_DRIFT (the pre-drift accuracy's window): on a slow
            // machine the first model can come after the planned second, and a drift before it would leave nothing to
            // compare the recovery with.
            AgrawalGenerator generator = new AgrawalGenerator(settings.seed(), plan, 0.05, "demo-" + settings.seed(), Clock.systemUTC())
                    .timedFrom(origin)
                    .holdDriftUntil(() -> {
                        Instant serving = firstServing;
                        return serving != null && !Instant.now().isBefore(serving.plus(PRE_DRIFT));
                    });
            Instant end = origin.plus(settings.duration());
            if (labels != null) {
                out.println("[demo] labels are sent to " + topics.labels() + " " + labelDelay.toMillis() / 1000.0
                        + " s after their events");
            }
            Consumer<AgrawalGenerator.Event> onEvent = event -> {
                timeline.recordTruth(event.id(), new AccuracyTimeline.Truth(event.label(), event.eventTime(), event.function()));
                observer.onEvent(event);
                if (labels != null) {
                    labels.schedule(event.id(), event.label());
                }
                if (settings.badEvery() > 0 && generator.count() % settings.badEvery() == 0) {
                    badRecordsSent.incrementAndGet();
                    badProducer.send(new ProducerRecord<>(topics.events(), "bad-" + generator.count(), badRecord(generator.count())));
                }
            };
            Thread thread = new Thread(() -> {
                try {
                    result[0] = new EventSender(producer, validator, topics.events(), r -> LOG.warn("rejected {}", r))
                            .send(new GeneratedRecords(generator, new RatePacer(settings.rate()), 0, settings.duration(),
                                    stopRequested::get, onEvent, labels == null ? GeneratedRecords.Labels.INLINE
                                    : GeneratedRecords.Labels.WITHHELD));
                } catch (RuntimeException e) {
                    failure[0] = e;
                }
            }, "demo-generator");
            thread.start();
            boolean driftAnnounced = settings.driftTo() == 0;
            boolean holdAnnounced = false;
            while (thread.isAlive()) {
                thread.join(settings.statusEvery().toMillis());
                long second = Duration.between(origin, Instant.now()).toSeconds();
                if (firstServing == null && status(job).modelVersion() != null) {
                    firstServing = Instant.now();
                }
                Instant drifted = generator.driftedAt();
                if (!driftAnnounced && drifted != null) {
                    driftAnnounced = true;
                    driftSecond = Duration.between(origin, drifted).toSeconds();
                    out.printf("[demo] %4ds  *** concept drift: labels now follow Agrawal function %d instead of %d ***%n",
                            driftSecond, settings.driftTo(), settings.function());
                } else if (!driftAnnounced && !holdAnnounced && second >= settings.driftSecond()) {
                    holdAnnounced = true;
                    out.printf("[demo] %4ds  drift held until a model has served for %d s (%s)%n", second,
                            PRE_DRIFT.toSeconds(), firstServing == null ? "none serves yet" : "one serves since "
                                    + Duration.between(origin, firstServing).toSeconds() + " s");
                }
                if (thread.isAlive() && Instant.now().isBefore(end.plusSeconds(5))) {
                    out.println(dashboard(second, status(job), figures));
                }
            }
            badProducer.flush();
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return result[0];
    }

    /**
     * Holds the generator until the streaming job (the lake's query in real-time mode) has finished its first
     * micro-batch, as a user starts producing once the job says it runs: its start-up (planning the query, opening
     * the lake's tables and writers; 5-15 s here) is the job's, not the loop's, and events sent meanwhile only queue.
     */
    private void awaitFirstBatch(StreamingJob job) throws InterruptedException {
        long started = System.nanoTime();
        long deadline = started + FIRST_BATCH_WAIT.toNanos();
        while (job.status().batches() < 1) {
            if (!job.query().isActive()) {
                throw new IllegalStateException("the streaming job stopped before its first micro-batch"
                        + (job.query().exception().isDefined() ? ": " + job.query().exception().get().getMessage() : ""));
            }
            if (System.nanoTime() > deadline) {
                out.println("[demo] the streaming job has not finished a micro-batch in " + FIRST_BATCH_WAIT.toSeconds()
                        + " s; generating anyway");
                return;
            }
            Thread.sleep(100);
        }
        out.printf(Locale.ROOT, "[demo] streaming job ready: first micro-batch done after %.1f s%n",
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * Holds the generator until the scheduler has warmed its first retrain up (synthetic rows, nothing stored; it runs
     * beside the streaming job's start, 2-4 s here), as the job's start-up is waited for: otherwise the first model's
     * retrain pays a new JVM's class loading and compilation while events go unscored.
     */
    private void awaitWarmUp(RetrainScheduler scheduler) throws InterruptedException {
        long started = System.nanoTime();
        try {
            scheduler.warmedUp().get(FIRST_BATCH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            out.printf(Locale.ROOT, "[demo] retrain warmed up (%.1f s more); generating events%n",
                    (System.nanoTime() - started) / 1e9);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            out.println("[demo] the retrain warm-up has not finished in " + FIRST_BATCH_WAIT.toSeconds()
                    + " s; generating anyway");
        }
    }

    /** The job's counters; in real-time mode with the scoring query's predictions and model. */
    private StreamingStatus status(StreamingJob job) {
        RealTimeJob realTime = realTimeJob;
        return realTime == null ? job.status() : realTime.status();
    }

    private String dashboard(long second, StreamingStatus status, MonitorFigures figures) {
        double live = figures.windowAccuracy(status.modelVersion());
        long promoted = retrains.stream().filter(DemoReport.Retrain::promoted).count();
        return String.format(Locale.ROOT, "[demo] %4ds | in %5.0f ev/s | lake %,8d | lag %5s | model %-8s | dead letters %,4d"
                        + " | live accuracy (monitor) %6s | drifts %d | retrains %d (%d promoted)",
                second, status.inputRowsPerSecond(), status.eventsToLake(),
                status.consumerLag() < 0 ? "?" : Long.toString(status.consumerLag()),
                status.modelVersion() == null ? "none" : status.modelVersion(), status.deadLetters(),
                ReportHtml.percent(live), figures.drifts().size(), retrains.size(), promoted);
    }

    private void onDrift(DemoReport.Drift drift) {
        out.printf(Locale.ROOT, "[demo] %4ds  *** drift detected in %s by %s: error %s -> %s, change point at %.1f s ***%n",
                drift.second(), drift.version(), drift.detector(), ReportHtml.percent(drift.errorBefore()),
                ReportHtml.percent(drift.errorAfter()), drift.changePointSecond());
    }

    /** Waits until the monitor has joined every label it will get (its count stops moving). */
    private void awaitMonitor(MonitorService monitor) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long last = -1;
        while (System.nanoTime() < deadline && !stopRequested.get() && monitor.status().join().joined() != last) {
            last = monitor.status().join().joined();
            Thread.sleep(2 * MONITOR_INTERVAL.toMillis() + 500);
        }
    }

    private void score(AccuracyTimeline timeline, ConsumerRecord<byte[], byte[]> record) {
        Prediction p = Prediction.parse(new String(record.value(), StandardCharsets.UTF_8));
        observer.onPrediction(p);
        timeline.recordPrediction(p.eventId(), p.predictedClass(), p.modelVersion(), p.batchId());
    }

    private void onControl(ConsumerRecord<byte[], byte[]> record) {
        ControlCodec.decode(record.value()).ifPresent(message -> {
            observer.onControl(message);
            if (message instanceof ControlMessage.RetrainStatus status && status.isFinal() && origin != null) {
                // Requests that queued up during one retrain are answered together: one status each, same version.
                boolean repeat = status.version() != null && retrains.stream().anyMatch(r -> status.version().equals(r.version())
                        && status.status().wireName().equals(r.status()));
                if (repeat) {
                    return;
                }
                long second = Duration.between(origin, status.at()).toSeconds();
                DemoReport.Retrain retrain = new DemoReport.Retrain(second, status.status().wireName(), status.version(), status.detail());
                retrains.add(retrain);
                out.printf("[demo] %4ds  retrain %s %s: %s%n", second, status.status().wireName(),
                        status.version() == null ? "" : status.version(), firstLine(status.detail()));
            }
        });
    }

    private void awaitCatchUp(StreamingJob job, long expected, AccuracyTimeline timeline) throws InterruptedException {
        out.println("[demo] waiting for the streaming job to process the last events ...");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && !stopRequested.get()) {
            StreamingStatus s = status(job);
            if (s.eventsToLake() + s.deadLetters() >= expected && s.consumerLag() == 0) {
                break;
            }
            Thread.sleep(500);
        }
        // Give the predictions consumer a moment to read what the last batch wrote.
        long last = -1;
        while (System.nanoTime() < deadline && timeline.predictedEvents() != last) {
            last = timeline.predictedEvents();
            Thread.sleep(1500);
        }
    }

    private DemoReport finish(SparkSession spark, StreamingJob job, AccuracyTimeline timeline, MonitorFigures figures,
                              String registryRoot, Path work, Topics topics, KafkaSettings kafka) throws IOException {
        StreamingStatus status = status(job);
        job.commitLake();
        Row counts = spark.table(job.tableName()).agg(functions.count(functions.lit(1)), functions.countDistinct("id")).first();
        long lakeRows = counts.getLong(0);
        long lakeDistinct = counts.getLong(1);

        FileSystemModelRegistry registry = FileSystemModelRegistry.open(registryRoot, spark.sparkContext().hadoopConfiguration());
        String current = registry.current().map(VersionId::toString).orElse(null);
        String tree = registry.current().flatMap(v -> registry.versionFile(v, "tree.txt")).orElse(null);

        List<DemoReport.Retrain> ordered = retrains.stream().sorted(Comparator.comparingLong(DemoReport.Retrain::second)).toList();
        long afterFirstModel = 0;
        long missing = 0;
        var firstPromotion = registry.history().stream().filter(p -> "promote".equals(p.action())).findFirst();
        if (firstPromotion.isPresent()) {
            List<String> since = timeline.eventsSince(firstPromotion.get().at());
            afterFirstModel = since.size();
            missing = since.stream().filter(id -> !timeline.hasPrediction(id)).count();
        }
        long driftSecond = this.driftSecond;
        if (settings.driftTo() != 0 && driftSecond < 0) {
            out.printf("[demo] no drift: it was planned at %d s, but no model served %d s before the end%n",
                    settings.driftSecond(), PRE_DRIFT.toSeconds());
        }
        long durationSeconds = settings.duration().toSeconds();
        // Accuracy figures are the monitor's: predictions joined with labels as the labels arrived.
        double preDrift = driftSecond < 0 ? figures.accuracyBetween(Math.max(0, durationSeconds - PRE_DRIFT.toSeconds()), durationSeconds)
                : figures.accuracyBetween(Math.max(0, driftSecond - PRE_DRIFT.toSeconds()), driftSecond);
        double recovered = Double.NaN;
        var postDrift = ordered.stream().filter(r -> r.promoted() && r.second() > driftSecond).findFirst();
        if (driftSecond >= 0 && postDrift.isPresent()) {
            long from = Math.max(postDrift.get().second() + BUCKET.toSeconds(), durationSeconds - 30);
            recovered = figures.accuracyBetween(from, durationSeconds + BUCKET.toSeconds());
        }
        DemoReport report = new DemoReport(origin, durationSeconds, driftSecond, settings.function(),
                settings.driftTo() == 0 ? settings.function() : settings.driftTo(), timeline.truths(), badRecordsSent.get(),
                deadLetterCount(kafka, topics.deadLetters()), lakeRows, lakeDistinct, timeline.predictedEvents(),
                timeline.duplicates(), afterFirstModel, missing, ordered, figures.buckets(), preDrift, recovered, current, tree,
                settings.labelDelay().toSeconds(), figures.drifts());
        Files.writeString(work.resolve("report.json"), Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        Files.writeString(work.resolve("report.html"), ReportHtml.render(report));
        out.printf("[demo] done: %,d events, lake %,d rows (%,d distinct ids), %,d events scored, %d dead letters, %d retrains "
                        + "(%d promoted), serving %s%n", report.eventsGenerated(), lakeRows, lakeDistinct, report.predictedEvents(),
                report.deadLetters(), ordered.size(), report.promotions(), current);
        out.printf("[demo] monitor: accuracy before drift %s, after recovery %s, %d drift detection(s); streaming %s%n",
                ReportHtml.percent(preDrift), ReportHtml.percent(recovered), report.drifts().size(), status.summary());
        out.println("[demo] report: " + settings.workDir().resolve("report.html") + " (open it in a browser)");
        return report;
    }

    private static long deadLetterCount(KafkaSettings kafka, String topic) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.toProperties(), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            return partitions.stream().mapToLong(p -> end.get(p) - begin.get(p)).sum();
        }
    }

    private static byte[] badRecord(long n) {
        String[] kinds = {
            "{\"id\":\"bad-" + n + "\",\"event_time\":",
            "{\"id\":\"bad-" + n + "\",\"event_time\":\"" + Instant.now() + "\",\"salary\":\"lots\"}",
            "{\"id\":\"bad-" + n + "\",\"event_time\":\"" + Instant.now() + "\",\"salary\":50000,\"commission\":0,\"age\":30,"
                    + "\"elevel\":1,\"car\":\"spaceship\",\"zipcode\":1,\"hvalue\":100000,\"hyears\":3,\"loan\":1}",
        };
        return kinds[(int) (n % kinds.length)].getBytes(StandardCharsets.UTF_8);
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }

    static SparkSession session(Path work) {
        return session(work, "local[*]");
    }

    static SparkSession session(Path work, String master) {
        LocalFileSystems.useNio(master);
        return SparkSession.builder()
                .appName("streamtree-demo")
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.scheduler.mode", "FAIR")
                .config("spark.sql.warehouse.dir", work.resolve("warehouse").toString())
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        PathUtils.deleteDirectory(dir);
    }

    /** Reads a topic from the beginning on a daemon thread, handing each record to a handler. */
    private static final class Tail implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Thread thread;

        Tail(KafkaSettings kafka, String topic, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
            thread = new Thread(() -> {
                try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.toProperties(), new ByteArrayDeserializer(),
                        new ByteArrayDeserializer())) {
                    List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList();
                    consumer.assign(partitions);
                    consumer.seekToBeginning(partitions);
                    while (!closed.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
                            try {
                                handler.accept(r);
                            } catch (RuntimeException e) {
                                LOG.warn("cannot read a record of {}: {}", topic, e.getMessage());
                            }
                        }
                    }
                }
            }, "demo-tail-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            closed.set(true);
            thread.join(5000);
        }
    }
}
