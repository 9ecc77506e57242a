package dev.streamtree.retrain;

import dev.streamtree.common.control.ControlMessage.Reason;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.model.fs.NioLocalFileSystem;
import dev.streamtree.model.pipeline.FeaturePipeline;
import dev.streamtree.model.pipeline.ModelWriter;
import dev.streamtree.model.pipeline.TreeParams;
import dev.streamtree.model.pipeline.TreeRenderer;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.retrain.gate.PromotionGate;
import dev.streamtree.retrain.source.LabelledEvents;
import dev.streamtree.retrain.source.LakeTableEvents;
import dev.streamtree.retrain.train.Evaluation;
import dev.streamtree.retrain.train.Metrics;
import dev.streamtree.retrain.train.DriverRows;
import dev.streamtree.retrain.train.ModelSelection;
import dev.streamtree.retrain.train.SelectionPolicy;
import dev.streamtree.retrain.train.TrainingData;
import dev.streamtree.retrain.train.TrainingWindow;
import dev.streamtree.retrain.train.WarmUpRows;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.classification.DecisionTreeClassificationModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One retrain: read labelled events through the catalog, split by event time, choose hyperparameters on the
 * training rows ({@link ModelSelection}), fit, evaluate candidate and champion on the same holdout, and when the
 * {@link PromotionGate} allows, refit the chosen parameters on every row (training and holdout), commit that and
 * promote it; a kept candidate is committed as it was gated.
 *
 * <p>Failures: {@link RetrainException} (too few rows, one class only, unreadable lake); registry and catalog
 * exceptions pass through. In every failure nothing is promoted and no half-written version is visible. A
 * champion that cannot be loaded (corrupt, other schema) is reported and treated as absent.
 *
 * <p>Not thread-safe; the {@link dev.streamtree.retrain.schedule.RetrainScheduler} runs one at a time.
 */
public final class RetrainJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);

    private final SparkSession spark;
    private final LabelledEvents source;
    private final FileSystemModelRegistry registry;
    private final RetrainConfig config;
    private final EventSchema schema;
    private final Clock clock;
    /** Versions are immutable: a model this job committed or loaded is kept, so the next gate need not load it. */
    private final Map<VersionId, PipelineModel> models;

    public RetrainJob(SparkSession spark, LabelledEvents source, FileSystemModelRegistry registry, RetrainConfig config, Clock clock) {
        this(spark, source, registry, config, clock, new java.util.concurrent.ConcurrentHashMap<>());
    }

    private RetrainJob(SparkSession spark, LabelledEvents source, FileSystemModelRegistry registry, RetrainConfig config,
                       Clock clock, Map<VersionId, PipelineModel> models) {
        this.spark = spark;
        this.source = source;
        this.registry = registry;
        this.config = config;
        this.clock = clock;
        this.models = models;
        this.schema = SchemaCodec.load(config.schemaLocation());
        if (schema.labelSpec().isEmpty()) {
            throw new IllegalArgumentException("schema " + config.schemaLocation() + " has no label; nothing to train on");
        }
    }

    /** Wires the catalog, lake reader and registry named in {@code config} and runs one retrain. */
    public static RetrainOutcome run(SparkSession spark, RetrainConfig config) {
        return create(spark, config).run();
    }

    /** The job wired from {@code config}: the lake's Iceberg table (local or Glue catalog) and the registry. */
    public static RetrainJob create(SparkSession spark, RetrainConfig config) {
        LabelledEvents source = new LakeTableEvents(spark,
                new LakeTables(config.catalog(), config.lake(), config.glueRegion()),
                LakeTables.identifier(config.database(), config.table()));
        FileSystemModelRegistry registry = FileSystemModelRegistry.open(config.registry(), spark.sparkContext().hadoopConfiguration());
        return new RetrainJob(spark, source, registry, config, Clock.systemUTC());
    }

    /** The same job with a different gate (used for forced requests). */
    public RetrainJob with(RetrainConfig newConfig) {
        return new RetrainJob(spark, source, registry, newConfig, clock, models);
    }

    public RetrainConfig config() {
        return config;
    }

    /** The registry the retrains commit to and promote in. */
    public FileSystemModelRegistry registry() {
        return registry;
    }

    /** The session the retrains run in. */
    public SparkSession spark() {
        return spark;
    }

    /** An on-demand retrain over the configured window (what {@code retrain run} does). */
    public RetrainOutcome run() {
        return run(Trigger.onDemand(config.minRows()));
    }

    /**
     * Why a retrain runs and what it may read.
     *
     * @param reason    recorded in the version's metadata; {@code drift} and {@code bootstrap} retrains are quick
     * @param trainFrom no row with an event time before it is read (a drift's change point), or null
     * @param minRows   refuse to train on fewer labelled rows
     */
    public record Trigger(Reason reason, Instant trainFrom, long minRows) {
        public Trigger {
            java.util.Objects.requireNonNull(reason, "reason");
            if (minRows < 10) {
                throw new IllegalArgumentException("minimum rows must be at least 10, got " + minRows);
            }
        }

        public static Trigger onDemand(long minRows) {
            return new Trigger(Reason.REQUEST, null, minRows);
        }

        /**
         * Drift and bootstrap retrains must serve within seconds: a window of more than {@code --driver-rows} rows, read
         * through Spark, still has its candidate and champion scored on the driver from one collect.
         */
        public boolean quick() {
            return reason == Reason.DRIFT || reason == Reason.BOOTSTRAP;
        }
    }

    /** Whether the registry has a serving model. */
    public boolean hasCurrentModel() {
        return registry.current().isPresent();
    }

    /**
     * Labelled lake rows with an event time at or after {@code from} (all labelled rows when null), or at least
     * {@code needed} of them: when the table's metadata alone shows that many (the waits of drift and bootstrap
     * retrains poll this every 250 ms, and a Spark count each time competes with the stream for the cores), the
     * metadata's lower bound is returned without a Spark job; else the exact count, read on the driver when the rows
     * after {@code from} (and the labels table) hold at most {@code --driver-rows} rows, else by a Spark count.
     */
    public long labelledRowsSince(Instant from, long needed) {
        long bound = source.labelledRowsLowerBound(schema, from);
        if (bound >= needed) {
            return bound;
        }
        // Late labels are in the labels table, which the bound cannot see: a small table is counted on the driver.
        Optional<LabelledEvents.DriverRead> local = readOnDriver(from);
        if (local.isPresent()) {
            return TrainingData.labelledOnDriver(local.get().rows(), schema).size();
        }
        return TrainingData.since(TrainingData.labelled(source.read(schema, Optional.ofNullable(from)).rows(), schema),
                from, schema).count();
    }

    /** The rows at or after {@code from} on the driver, when {@code --driver-rows} allows and they are that few. */
    private Optional<LabelledEvents.DriverRead> readOnDriver(Instant from) {
        return config.driverRows() > 0 ? source.readOnDriver(schema, from, config.driverRows()) : Optional.empty();
    }

    public RetrainOutcome run(Trigger trigger) {
        long started = System.nanoTime();
        Instant now = clock.instant();
        TrainingWindow window = config.window().startingAt(trigger.trainFrom());
        // A row window reads from where the files' metrics vouch for its rows, not the whole lake.
        Instant from = window.lowerBound(now);
        if (from == null && window.byRows()) {
            from = source.lastRowsFrom(schema, window.rows()).orElse(null);
        }
        // A lake of at most --driver-rows rows after the window's start is read on the driver, without a Spark job.
        Optional<LabelledEvents.DriverRead> read = readOnDriver(from);
        if (read.isPresent()) {
            List<Row> rows = TrainingData.windowOnDriver(TrainingData.labelledOnDriver(read.get().rows(), schema),
                    window, now, schema);
            refuseBelow(trigger, window, rows.size());
            DriverRows all = DriverRows.of(rows, schema);
            Duration readTook = Duration.ofNanos(System.nanoTime() - started);
            DriverRows[] split = all.splitByTime(config.holdoutFraction());
            return trainAndGate(trigger, window, rows.size(), new OnDriver(split[0], split[1], all),
                    read.get().snapshotId(), started, readTook);
        }
        LabelledEvents.TableRows lake = source.read(schema, Optional.ofNullable(from));
        Dataset<Row> windowed = TrainingData.window(TrainingData.labelled(lake.rows(), schema), window, now, schema)
                .cache();
        try {
            long rows = windowed.count();
            refuseBelow(trigger, window, rows);
            if (rows <= config.driverRows()) {
                // Up to a few hundred thousand rows: copy them to the driver once and do the rest there (split, folds, fits,
                // scoring), where each Spark job would cost more in scheduling than its work, above all beside a stream.
                DriverRows local = DriverRows.of(windowed.collectAsList(), schema);
                windowed.unpersist();
                Duration readTook = Duration.ofNanos(System.nanoTime() - started);
                DriverRows[] split = local.splitByTime(config.holdoutFraction());
                return trainAndGate(trigger, window, rows, new OnDriver(split[0], split[1], local), lake.snapshotId(),
                        started, readTook);
            }
            Duration readTook = Duration.ofNanos(System.nanoTime() - started);
            TrainingData.TimeSplit holdoutSplit = TrainingData.splitByTime(windowed, schema, config.holdoutFraction());
            Dataset<Row> training = holdoutSplit.earlier().cache();
            Dataset<Row> holdout = holdoutSplit.later().cache();
            try {
                return trainAndGate(trigger, window, rows, new OnSpark(training, holdout, windowed, trigger.quick()),
                        lake.snapshotId(), started, readTook);
            } finally {
                training.unpersist();
                holdout.unpersist();
            }
        } finally {
            windowed.unpersist();
        }
    }

    private void refuseBelow(Trigger trigger, TrainingWindow window, long rows) {
        if (rows < trigger.minRows()) {
            throw new RetrainException(String.format(Locale.ROOT,
                    "refusing to train: only %d labelled rows in the %s of %s; at least %d are needed "
                            + "(lower --min-rows, widen --window / --last-rows, or wait for more labelled events)",
                    rows, window, source.describe(), trigger.minRows()));
        }
    }

    /** A retrain's rows, split into training and holdout, and what the retrain does with them. */
    private interface SplitRows {
        long trainingRows();

        long holdoutRows();

        Map<String, Long> classCounts();

        ModelSelection.Choice select(SelectionPolicy policy, boolean weighted);

        /** The chosen parameters fitted on the training rows. */
        PipelineModel fitTraining(TreeParams params);

        /** The chosen parameters fitted on every row of the window. */
        PipelineModel fitAll(TreeParams params);

        Metrics scoreHoldout(PipelineModel model);

        /** For the summary and the metadata: who grew the trees. */
        String trainer();
    }

    /** Rows read and split by Spark: any size. */
    private final class OnSpark implements SplitRows {
        private final Dataset<Row> training;
        private final Dataset<Row> holdout;
        private final Dataset<Row> everyRow;
        private final boolean scoreOnDriver;
        private long trainingRows = -1;
        private long holdoutRows = -1;

        OnSpark(Dataset<Row> training, Dataset<Row> holdout, Dataset<Row> everyRow, boolean scoreOnDriver) {
            this.training = training;
            this.holdout = holdout;
            this.everyRow = everyRow;
            this.scoreOnDriver = scoreOnDriver;
        }

        public long trainingRows() {
            if (trainingRows < 0) {
                trainingRows = training.count();
            }
            return trainingRows;
        }

        public long holdoutRows() {
            if (holdoutRows < 0) {
                holdoutRows = holdout.count();
            }
            return holdoutRows;
        }

        public Map<String, Long> classCounts() {
            return FeaturePipeline.classCounts(training, schema);
        }

        public ModelSelection.Choice select(SelectionPolicy policy, boolean weighted) {
            return ModelSelection.select(training, trainingRows(), schema, policy, weighted);
        }

        public PipelineModel fitTraining(TreeParams params) {
            return FeaturePipeline.fit(training, schema, params);
        }

        public PipelineModel fitAll(TreeParams params) {
            return FeaturePipeline.fit(everyRow, schema, params);
        }

        // Candidate and champion are scored the same way on the same holdout, the quick way for a quick retrain.
        public Metrics scoreHoldout(PipelineModel model) {
            return scoreOnDriver ? Evaluation.evaluateOnDriver(model, holdout, schema) : Evaluation.evaluate(model, holdout, schema);
        }

        public String trainer() {
            return "spark";
        }
    }

    /** A quick retrain's rows, on the driver: every step without a Spark job. */
    private final class OnDriver implements SplitRows {
        private final DriverRows training;
        private final DriverRows holdout;
        private final DriverRows everyRow;
        private final int classes = schema.labelSpec().orElseThrow().classes().size();

        OnDriver(DriverRows training, DriverRows holdout, DriverRows everyRow) {
            this.training = training;
            this.holdout = holdout;
            this.everyRow = everyRow;
        }

        public long trainingRows() {
            return training.size();
        }

        public long holdoutRows() {
            return holdout.size();
        }

        public Map<String, Long> classCounts() {
            return training.classCounts(schema);
        }

        public ModelSelection.Choice select(SelectionPolicy policy, boolean weighted) {
            return ModelSelection.selectOnDriver(training, schema, policy, weighted);
        }

        public PipelineModel fitTraining(TreeParams params) {
            return fit(training, params);
        }

        public PipelineModel fitAll(TreeParams params) {
            return fit(everyRow, params);
        }

        private PipelineModel fit(DriverRows rows, TreeParams params) {
            Map<Integer, Double> weights = params.classWeighted()
                    ? FeaturePipeline.balancedWeights(rows.classCounts(schema)) : null;
            return FeaturePipeline.model(schema, FeaturePipeline.fitTreeOnDriver(rows.trainerRows(weights), schema, params));
        }

        public Metrics scoreHoldout(PipelineModel model) {
            return holdout.evaluate(model, classes);
        }

        public String trainer() {
            return "driver";
        }
    }

    private RetrainOutcome trainAndGate(Trigger trigger, TrainingWindow window, long windowRows, SplitRows data,
                                        OptionalLong snapshotId, long started, Duration readTook) {
        long holdoutRows = data.holdoutRows();
        long trainingRows = data.trainingRows();
        if (holdoutRows == 0 || trainingRows == 0) {
            throw new RetrainException("cannot split " + windowRows + " rows by event time into training and holdout "
                    + "(do all events share one timestamp?)");
        }
        Map<String, Long> balance = data.classCounts();
        long present = balance.values().stream().filter(c -> c > 0).count();
        if (present < 2) {
            throw new RetrainException("refusing to train: the training rows hold a single class " + balance);
        }
        long smallest = balance.values().stream().filter(c -> c > 0).min(Long::compare).orElseThrow();
        long largest = balance.values().stream().max(Long::compare).orElseThrow();
        boolean weighted = (double) smallest / largest < config.imbalanceRatio();

        long searchStarted = System.nanoTime();
        ModelSelection.Choice choice = data.select(config.selection(), weighted);
        Duration searchTook = Duration.ofNanos(System.nanoTime() - searchStarted);
        long gateStarted = System.nanoTime();
        LOG.info("chose {} by {}: {} fits in {} ms", choice.params(), choice.method(), choice.fits(), searchTook.toMillis());

        PipelineModel gated = data.fitTraining(choice.params());
        Metrics candidateMetrics = data.scoreHoldout(gated);

        Optional<VersionId> champion = registry.current();
        Optional<Metrics> championMetrics = Optional.empty();
        String championNote = "";
        if (champion.isPresent()) {
            try {
                ModelMetadata championMeta = registry.metadata(champion.get());
                if (!championMeta.schemaFingerprint().equals(schema.fingerprint())) {
                    championNote = "champion " + champion.get() + " was trained on another schema version; not compared";
                } else {
                    VersionId championVersion = champion.get();
                    PipelineModel championModel = models.containsKey(championVersion) ? models.get(championVersion)
                            : PipelineModel.load(registry.modelLocation(championVersion));
                    models.put(championVersion, championModel);
                    championMetrics = Optional.of(data.scoreHoldout(championModel));
                }
            } catch (CorruptVersionException | IllegalArgumentException e) {
                championNote = "champion " + champion.get() + " cannot be evaluated: " + e.getMessage();
            }
            if (!championNote.isEmpty()) {
                LOG.warn(championNote);
            }
        }
        PromotionGate.Decision decision = PromotionGate.decide(config.gate(), candidateMetrics, championMetrics);
        Duration gateTook = Duration.ofNanos(System.nanoTime() - gateStarted);
        long commitStarted = System.nanoTime();
        String reason = championNote.isEmpty() ? decision.reason() : championNote + "; " + decision.reason();

        // The gate has used the holdout; a promoted model should not waste it. Refit the chosen parameters on every
        // labelled row of the window and serve that; the recorded metrics stay the training-only fit's on the holdout
        // (the refit has no unseen rows left to be scored on). A kept candidate is stored as it was gated.
        PipelineModel model = gated;
        Map<String, String> fitRecord = new LinkedHashMap<>(choice.params().asMap());
        fitRecord.put("selection", choice.method());
        fitRecord.put("trainer", data.trainer());
        long refitStarted = System.nanoTime();
        if (decision.promote()) {
            model = data.fitAll(choice.params());
            fitRecord.put("fitted_on", "training + holdout, " + windowRows + " rows");
            fitRecord.put("metrics_from", "the same parameters fitted on the " + trainingRows
                    + " training rows, scored on the " + holdoutRows + " holdout rows");
        } else {
            fitRecord.put("fitted_on", "training, " + trainingRows + " rows");
            fitRecord.put("metrics_from", "this model on the " + holdoutRows + " holdout rows");
        }

        Duration refitTook = Duration.ofNanos(System.nanoTime() - refitStarted);
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
        TreeRenderer renderer = new TreeRenderer(schema);
        ModelMetadata metadata = new ModelMetadata(clock.instant(), schema.fingerprint(), schema.featureNames(),
                schema.labelSpec().orElseThrow().classes(), window.toString(), trainingRows, holdoutRows, balance,
                fitRecord, candidateMetrics.asMap(), championMetrics.map(Metrics::asMap).orElse(Map.of()),
                champion.map(VersionId::toString).orElse(null), spark.version(), streamtreeVersion())
                .withProvenance(trigger.reason().wireName(), window.from(),
                        // the lake table's snapshot: readable again with VERSION AS OF until it expires
                        snapshotId.isPresent() ? snapshotId.getAsLong() : null);
        VersionId version;
        long saveStarted;
        Duration saveTook;
        try (PendingVersion pending = registry.stage()) {
            saveStarted = System.nanoTime();
            writeModel(model, tree, renderer, pending.modelLocation(), pending.filesLocation());
            saveTook = Duration.ofNanos(System.nanoTime() - saveStarted);
            version = pending.commit(metadata);
        }
        if (decision.promote()) {
            models.clear();
            models.put(version, model);
        }
        if (decision.promote()) {
            registry.promote(version, reason);
        }
        Duration commitTook = Duration.ofNanos(System.nanoTime() - commitStarted);
        String timing = String.format(Locale.ROOT, "read %.2f s, selection %.2f s, fit + gate %.2f s, refit + commit %.2f s"
                        + " = refit %.2f s, save %.2f s, registry %.2f s",
                seconds(readTook), seconds(searchTook), seconds(gateTook), seconds(commitTook), seconds(refitTook),
                seconds(saveTook), seconds(commitTook.minus(refitTook).minus(saveTook)));
        String summary = summary(trigger, data.trainer(), window, version, decision.promote(), champion, candidateMetrics, championMetrics, choice,
                windowRows, trainingRows, holdoutRows, balance, weighted, reason, searchTook, timing,
                Duration.ofNanos(System.nanoTime() - started));
        return new RetrainOutcome(decision.promote(), version, champion, candidateMetrics, championMetrics, choice.params(),
                reason, summary);
    }

    /** Rows of {@link #warmUp()}: about a bootstrap retrain's. */
    static final int WARM_UP_ROWS = 600;

    /**
     * Runs a driver retrain's code once on {@value #WARM_UP_ROWS} synthetic rows of the schema ({@link WarmUpRows}) and
     * stores nothing: the labels, the split, the model selection, the gated fit and its holdout scoring, the
     * refit, the tree's rendering and the model's files (written to a temporary directory, then deleted). No Spark
     * job, no lake read, no registry entry. A new JVM's first retrain pays for loading and compiling all of that once
     * (the demo's cold bootstrap: selection 1.4-1.8 s and save 3.2-3.4 s, against 0.3 s and 0.1 s warm); the scheduler
     * calls this before its first retrain when no model serves yet.
     *
     * @return how long it took
     * @throws RetrainException when the temporary directory cannot be made or written
     */
    public Duration warmUp() {
        long started = System.nanoTime();
        Instant now = clock.instant();
        List<Row> labelled = TrainingData.labelledOnDriver(WarmUpRows.of(schema, WARM_UP_ROWS, now), schema);
        DriverRows all = DriverRows.of(labelled, schema);
        DriverRows[] split = all.splitByTime(config.holdoutFraction());
        OnDriver data = new OnDriver(split[0], split[1], all);
        ModelSelection.Choice choice = data.select(config.selection(), false);
        data.scoreHoldout(data.fitTraining(choice.params()));
        PipelineModel model = data.fitAll(choice.params());
        DecisionTreeClassificationModel tree = FeaturePipeline.tree(model);
        TreeRenderer renderer = new TreeRenderer(schema);
        java.nio.file.Path directory = null;
        try {
            directory = java.nio.file.Files.createTempDirectory("streamtree-warm-up");
            writeModel(model, tree, renderer, directory.resolve("model").toUri().toString(), directory.toUri().toString());
        } catch (IOException e) {
            throw new RetrainException("warm-up cannot make a temporary directory for its model: " + e.getMessage(), e);
        } finally {
            if (directory != null) {
                deleteQuietly(directory);
            }
        }
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private static void deleteQuietly(java.nio.file.Path directory) {
        try {
            org.apache.commons.io.file.PathUtils.deleteDirectory(directory);
        } catch (IOException e) {
            LOG.warn("cannot delete the warm-up's temporary directory {}: {}", directory, e.getMessage());
        }
    }

    /** The model's files in Spark's layout at {@code modelLocation}, its tree's renderings in {@code filesLocation}. */
    private void writeModel(PipelineModel model, DecisionTreeClassificationModel tree, TreeRenderer renderer,
                            String modelLocation, String filesLocation) {
        try {
            ModelWriter.save(model, schema, modelLocation, spark.sparkContext().hadoopConfiguration());
        } catch (java.io.UncheckedIOException e) {
            throw new RetrainException(e.getMessage(), e.getCause());
        }
        writeText(filesLocation, "tree.txt", renderer.text(tree));
        writeText(filesLocation, "tree.dot", renderer.dot(tree));
    }

    private void writeText(String directory, String name, String text) {
        Path file = new Path(directory, name);
        try {
            FileSystem fs = NioLocalFileSystem.forPath(file, spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(file, true)) {
                out.write(text.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new RetrainException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private String summary(Trigger trigger, String trainer, TrainingWindow window, VersionId version, boolean promoted, Optional<VersionId> champion, Metrics candidate,
                           Optional<Metrics> championMetrics, ModelSelection.Choice choice, long windowRows, long trainingRows,
                           long holdoutRows, Map<String, Long> balance, boolean weighted, String reason, Duration searchTook,
                           String timing, Duration took) {
        StringBuilder out = new StringBuilder();
        out.append(promoted ? "PROMOTED " : "KEPT CHAMPION; candidate ").append(version)
                .append(promoted ? " is now serving" : " is registered but not serving").append('\n');
        out.append("  reason:     ").append(trigger.reason().wireName())
                .append(trainer.equals("driver") ? " (on the driver)" : "").append('\n');
        out.append("  data:       ").append(windowRows).append(" labelled rows (").append(window).append(") from ")
                .append(source.describe()).append('\n');
        out.append("  split:      ").append(trainingRows).append(" training / ").append(holdoutRows)
                .append(" holdout (latest ").append(Math.round(config.holdoutFraction() * 100)).append("% by event time)\n");
        out.append("  classes:    ").append(balance).append(weighted ? " -> class weights on" : "").append('\n');
        out.append("  chosen:     ").append(choice.params()).append(" (").append(choice.method()).append(": ")
                .append(choice.score()).append(")\n");
        out.append("  searched:   ").append(choice.trials().size()).append(" candidates, ").append(choice.fits())
                .append(" fits in ").append(searchTook.toMillis() / 1000.0).append(" s\n");
        out.append("  candidate:  ").append(candidate).append('\n');
        if (promoted) {
            out.append("  served:     refit on all ").append(windowRows)
                    .append(" rows (training + holdout); the figures above are the training-only fit's\n");
        }
        out.append("  champion:   ").append(champion.map(v -> v + ": " + championMetrics.map(Metrics::toString)
                .orElse("not evaluated")).orElse("none")).append('\n');
        out.append("  gate:       ").append(reason).append('\n');
        out.append("  took:       ").append(took.toMillis() / 1000.0).append(" s (").append(timing).append(")\n");
        return out.toString();
    }

    static String streamtreeVersion() {
        String v = RetrainJob.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
