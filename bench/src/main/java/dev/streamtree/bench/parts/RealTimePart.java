package dev.streamtree.bench.parts;

import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.bench.load.PredictionLog;
import dev.streamtree.bench.load.PredictionReader;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.bench.report.Percentiles;
import dev.streamtree.common.prediction.Prediction;
import dev.streamtree.common.registry.ModelRegistry;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.model.score.TreeScorer;
import dev.streamtree.streaming.progress.StatusBoard;
import dev.streamtree.streaming.realtime.RealTimeConfig;
import dev.streamtree.streaming.realtime.RealTimeJob;
import dev.streamtree.streaming.score.SparkModelLoader;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.OutputMode;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * Real-time mode's end-to-end latency at a paced rate, beside a plain Spark real-time query in the same run: Kafka ->
 * {@code from_json} -> the serving tree as column expressions ({@link TreeColumns}) -> Kafka, with the same trigger.
 * The streamtree query runs with its lake query beside it. Latency is measured as in {@link LatencyPart} (the event's
 * time, set by the producer, to the reader receiving the prediction), leaving out the warm-up.
 *
 * <p>Real-time queries hold one task slot per partition for the whole checkpoint interval, so the session needs at
 * least partitions + 1 slots (bench/run.sh with {@code BENCH_JAVA_OPTS="-Xmx6g -Dspark.master=local[3]"} for 2
 * partitions). Exactly partitions + 1 leaves the lake query and the predictions landing one slot between them, so on
 * a machine with as many cores as partitions they take at most one core from the scoring tasks.
 */
public final class RealTimePart {

    /** The checkpoint interval of both real-time queries: longer than a run, so no batch boundary falls in it. */
    static final Duration CHECKPOINT_INTERVAL = Duration.ofMinutes(5);
    static final Duration WATCH_INTERVAL = Duration.ofMillis(100);
    private static final Duration DRAIN = Duration.ofSeconds(60);
    private static final int GOAL_RATE = 5000;
    private static final int HIGH_RATE = 20000;
    private static final long P99_GOAL_MS = 25;
    private static final long HIGH_P99_GOAL_MS = 50;
    private static final long RATIO_GOAL = 4;

    private RealTimePart() {
    }

    public static List<Measurement> run(BenchContext ctx, int rate) throws Exception {
        requireSlots(ctx);
        List<VersionId> versions = ctx.versions();
        List<Measurement> out = new ArrayList<>();

        String plainPart = "rt-plain-" + rate;
        Topics plainTopics = ctx.topics(plainPart);
        StreamingQuery plain = startPlain(ctx, plainTopics, versions.get(0), ctx.dir(plainPart + "/checkpoint").toString());
        Run plainRun;
        try {
            plainRun = feed(ctx, plainPart, plainTopics, rate, () -> {
                if (plain.exception().isDefined()) {
                    throw new IllegalStateException("plain real-time query failed", plain.exception().get());
                }
                return 0;
            });
        } finally {
            plain.stop();
        }

        String part = "realtime-" + rate;
        Topics topics = ctx.topics(part);
        RealTimeJob job = RealTimeJob.start(ctx.spark(), ctx.streamingConfig(part, topics, ctx.sizes().realTimeLakeTrigger(), 0),
                new RealTimeConfig(CHECKPOINT_INTERVAL, WATCH_INTERVAL, ctx.dir(part + "/checkpoint-realtime").toString()),
                StatusBoard.Observer.NONE);
        Run run;
        long lakeRows;
        try {
            run = feed(ctx, part, topics, rate, () -> {
                if (!job.scoringQuery().isActive()) {
                    throw new IllegalStateException("real-time scoring query ended: " + job.scoringQuery().exception());
                }
                return 0;
            });
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (job.status().eventsToLake() < run.sent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            lakeRows = job.status().eventsToLake();
        } finally {
            job.stop();
        }

        String setting = "checkpoint interval " + CHECKPOINT_INTERVAL.toMinutes() + " min, lake trigger "
                + ctx.sizes().realTimeLakeTrigger().toMillis() + " ms";
        out.add(Measurement.plain(part, "achieved produce rate (target " + rate + "), real-time mode", run.achieved(),
                "rec/s"));
        out.add(Measurement.plain(part, "achieved produce rate (target " + rate + "), plain real-time query",
                plainRun.achieved(), "rec/s"));
        out.add(Measurement.checked(part, "events without prediction (real-time mode)", run.lost(), "count", "", "0",
                run.lost() == 0));
        out.add(Measurement.checked(part, "events without prediction (plain real-time query)", plainRun.lost(), "count",
                "", "0", plainRun.lost() == 0));
        out.add(Measurement.checked(part, "lake rows - events sent (lake query beside)", lakeRows - run.sent(), "count",
                "", "0", lakeRows == run.sent()));
        if (run.latencies().length == 0 || plainRun.latencies().length == 0) {
            out.add(Measurement.checked(part, "p99 end-to-end", Double.NaN, "ms", "", "measured", false));
            return out;
        }
        long[] plainLatencies = plainRun.latencies();
        long[] latencies = run.latencies();
        out.add(Measurement.plain(part, "plain real-time query p50 (" + setting + ")",
                Percentiles.of(plainLatencies, 50), "ms"));
        out.add(Measurement.plain(part, "plain real-time query p95", Percentiles.of(plainLatencies, 95), "ms"));
        long plainP99 = Percentiles.of(plainLatencies, 99);
        out.add(Measurement.plain(part, "plain real-time query p99", plainP99, "ms"));
        out.add(Measurement.plain(part, "plain real-time query max", Percentiles.of(plainLatencies, 100), "ms"));
        out.add(Measurement.plain(part, "real-time mode p50 end-to-end (" + setting + ")", Percentiles.of(latencies, 50), "ms"));
        out.add(Measurement.plain(part, "real-time mode p95 end-to-end", Percentiles.of(latencies, 95), "ms"));
        long p99 = Percentiles.of(latencies, 99);
        if (rate == GOAL_RATE) {
            out.add(Measurement.checked(part, "real-time mode p99 end-to-end", p99, "ms", "", "< " + P99_GOAL_MS + " ms",
                    p99 < P99_GOAL_MS));
            double ratio = plainP99 == 0 ? Double.NaN : (double) p99 / plainP99;
            out.add(Measurement.checked(part, "p99 real-time mode / plain real-time query", ratio, "x", "",
                    "<= " + RATIO_GOAL, ratio <= RATIO_GOAL));
        } else if (rate == HIGH_RATE) {
            out.add(Measurement.checked(part, "real-time mode p99 end-to-end", p99, "ms", "",
                    "< " + HIGH_P99_GOAL_MS + " ms", p99 < HIGH_P99_GOAL_MS));
        } else {
            out.add(Measurement.plain(part, "real-time mode p99 end-to-end", p99, "ms"));
        }
        out.add(Measurement.plain(part, "real-time mode max end-to-end", Percentiles.of(latencies, 100), "ms"));
        return out;
    }

    /** What one paced run gave: events sent, the rate achieved, events without a prediction, latencies after warm-up. */
    record Run(long sent, double achieved, long lost, long[] latencies) {
    }

    /** Sends {@code rate} events/s for the latency part's duration and follows the predictions until all arrived. */
    static Run feed(BenchContext ctx, String part, Topics topics, int rate, LongSupplier health) throws Exception {
        PredictionLog log = new PredictionLog(part);
        try (PredictionReader reader = PredictionReader.start(ctx.kafka(), topics.predictions(), log)) {
            EventFeed.Paced producer = EventFeed.Paced.start(ctx.kafka(), topics.events(), part, rate,
                    Duration.ofSeconds(ctx.sizes().latencySeconds()), 21);
            producer.await();
            long sent = producer.sent();
            long warmupEnd = producer.startedAt() + ctx.sizes().warmupSeconds() * 1000L;
            long deadline = System.nanoTime() + DRAIN.toNanos();
            while (log.covered(sent) < sent && System.nanoTime() < deadline) {
                reader.check();
                health.getAsLong();
                Thread.sleep(50);
            }
            return new Run(sent, producer.achievedRate(), sent - log.covered(sent), log.latenciesSince(warmupEnd));
        }
    }

    /**
     * The baseline: a plain real-time query with the version's tree as column expressions, writing prediction JSON
     * the benchmark's reader parses (same field names; batch id 0).
     */
    static StreamingQuery startPlain(BenchContext ctx, Topics topics, VersionId version, String checkpoint)
            throws Exception {
        SparkSession spark = ctx.spark();
        ModelRegistry.VerifiedVersion verified = ctx.registry().verified(version);
        TreeScorer scorer = new SparkModelLoader(ctx.schema(), spark.sparkContext().hadoopConfiguration())
                .load(verified.modelLocation(), verified.metadata());
        Column prediction = TreeColumns.prediction(scorer, ctx.schema());
        String id = ctx.schema().idField();
        String time = ctx.schema().eventTimeField();
        return spark.readStream().format("kafka")
                .options(KafkaSource.clientOptions(ctx.kafka()))
                .option("subscribe", topics.events())
                .option("startingOffsets", "earliest")
                .load()
                .select(functions.from_json(col("value").cast(DataTypes.StringType), TreeColumns.eventStruct(ctx.schema()))
                        .as("e"))
                .select("e.*")
                .select(col(id), col(time), prediction.as("p"))
                .select(col(id).cast(DataTypes.BinaryType).as("key"), functions.to_json(functions.struct(
                        col(id).as(Prediction.EVENT_ID), col("p.predicted_class").as(Prediction.PREDICTED_CLASS),
                        col("p.probabilities").as(Prediction.PROBABILITIES), lit(version.toString()).as(Prediction.MODEL_VERSION),
                        lit(0L).as(Prediction.BATCH_ID), col(time).as(Prediction.EVENT_TIME),
                        lit(Instant.now().toString()).as(Prediction.SCORED_AT))).as("value"))
                .writeStream()
                .queryName("bench-plain-realtime")
                .format("kafka")
                .options(KafkaSource.clientOptions(ctx.kafka()))
                .option("topic", topics.predictions())
                .option("checkpointLocation", checkpoint)
                .outputMode(OutputMode.Update())
                .trigger(Trigger.RealTime(CHECKPOINT_INTERVAL.toMillis()))
                .start();
    }

    /** Real-time queries need a slot per partition for the whole run, plus one for the lake's micro-batches. */
    static void requireSlots(BenchContext ctx) {
        int slots = ctx.spark().sparkContext().defaultParallelism();
        int needed = ctx.sizes().partitions() + 1;
        if (slots < needed) {
            throw new IllegalStateException("real-time mode holds one task slot per partition (" + ctx.sizes().partitions()
                    + ") and the lake query needs one more: the session has " + slots + " (" + ctx.spark().sparkContext().master()
                    + "); run with BENCH_JAVA_OPTS=\"-Xmx6g -Dspark.master=local[" + needed + "]\"");
        }
    }
}
