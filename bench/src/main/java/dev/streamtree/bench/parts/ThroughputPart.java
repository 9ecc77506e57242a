package dev.streamtree.bench.parts;

import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.bench.report.Spread;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.streaming.StreamingJob;
import dev.streamtree.streaming.config.StreamingOptions;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.to_json;

/**
 * Records/s through Kafka alone, a plain Spark Kafka->from_json->Kafka passthrough, and the streaming job, all on the
 * same preloaded events, the same broker, partitions, trigger and batch cap.
 *
 * <p>Each query runs {@code --repeats} times, alternating, each run on fresh output topics and a fresh checkpoint
 * reading the same events from the start. Pairs alternate which query goes first (passthrough first in odd pairs,
 * the job first in even ones), so neither always runs on a warmer JVM. The table shows per query the median and the
 * range of the runs' records/s, the ratio of the medians (the goal is checked on it) and the range of the per-pair
 * ratios, and what the span of the counted batches is made of: the batches themselves and the time between them.
 */
public final class ThroughputPart {

    static final String PASSTHROUGH_QUERY = "bench-passthrough";
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    private ThroughputPart() {
    }

    public static List<Measurement> run(BenchContext ctx) throws Exception {
        int n = ctx.sizes().events();
        int repeats = ctx.sizes().repeats();
        KafkaSettings kafka = ctx.kafka();
        Topics topics = ctx.topics("tput");
        List<Measurement> out = new ArrayList<>();

        EventFeed.Batch events = EventFeed.generate("tput", n, 11);
        Duration produce = EventFeed.send(kafka, topics.events(), events);
        double produceRate = n / seconds(produce);
        out.add(Measurement.plain("kafka", "produce (ProducerSettings, acks=all, lz4)", produceRate, "rec/s"));
        double consumeRate = n / seconds(consumeAll(kafka, topics.events(), n));
        out.add(Measurement.plain("kafka", "consume (plain KafkaConsumer)", consumeRate, "rec/s"));

        ctx.versions();
        List<BatchTimeline> warmPassthrough = new ArrayList<>();
        List<BatchTimeline> warmStreaming = new ArrayList<>();
        for (int run = 1; run <= ctx.sizes().warmUpRuns(); run++) {
            warmPassthrough.add(passthrough(ctx, topics.events(), n, "warm-up " + run));
            warmStreaming.add(streaming(ctx, topics.events(), n, "warm-up " + run));
        }
        List<BatchTimeline> passthrough = new ArrayList<>();
        List<BatchTimeline> streaming = new ArrayList<>();
        for (int run = 1; run <= repeats; run++) {
            if (run % 2 == 1) {
                passthrough.add(passthrough(ctx, topics.events(), n, "run " + run));
                streaming.add(streaming(ctx, topics.events(), n, "run " + run));
            } else {
                streaming.add(streaming(ctx, topics.events(), n, "run " + run));
                passthrough.add(passthrough(ctx, topics.events(), n, "run " + run));
            }
        }
        out.addAll(rows(ctx.sizes().throughputTrigger().toMillis(), ctx.sizes().maxOffsets(), consumeRate, passthrough,
                streaming));
        out.addAll(warmUpRows(warmPassthrough, warmStreaming));
        return out;
    }

    /**
     * The warm-up runs' figures, left out of the medians: each query's first runs in the JVM compile its code while
     * they run (on this machine's 2 cores, beside the tasks), and the job has more code to compile.
     */
    static List<Measurement> warmUpRows(List<BatchTimeline> passthrough, List<BatchTimeline> streaming) {
        if (passthrough.size() != streaming.size()) {
            throw new IllegalArgumentException("warm-up runs must come in pairs, got " + passthrough.size()
                    + " passthrough and " + streaming.size() + " streaming");
        }
        List<Measurement> out = new ArrayList<>();
        if (passthrough.isEmpty()) {
            return out;
        }
        String of = passthrough.size() == 1 ? "1 run" : "median of " + passthrough.size() + " runs";
        double p = Spread.of(passthrough.stream().map(BatchTimeline::rowsPerSecond).toList()).median();
        double s = Spread.of(streaming.stream().map(BatchTimeline::rowsPerSecond).toList()).median();
        out.add(Measurement.plain("passthrough", "warm-up (left out of the medians), " + of, p, "rec/s"));
        out.add(Measurement.plain("streaming", "warm-up (left out of the medians), " + of, s, "rec/s"));
        out.add(Measurement.plain("streaming", "streaming / passthrough, warm-up (left out)", s / p, "ratio"));
        return out;
    }

    /** The table's rows for the passthrough's and the job's runs (in pairs: run i of each). */
    static List<Measurement> rows(long triggerMs, int maxOffsets, double consumeRate, List<BatchTimeline> passthrough,
                                  List<BatchTimeline> streaming) {
        if (passthrough.size() != streaming.size() || passthrough.isEmpty()) {
            throw new IllegalArgumentException("runs must come in pairs, got " + passthrough.size() + " passthrough and "
                    + streaming.size() + " streaming");
        }
        int runs = passthrough.size();
        Spread p = Spread.of(passthrough.stream().map(BatchTimeline::rowsPerSecond).toList());
        Spread s = Spread.of(streaming.stream().map(BatchTimeline::rowsPerSecond).toList());
        List<Double> pairRatios = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            pairRatios.add(streaming.get(i).rowsPerSecond() / passthrough.get(i).rowsPerSecond());
        }
        Spread pairs = Spread.of(pairRatios);
        double ratio = s.median() / p.median();
        String settings = "trigger " + triggerMs + " ms, cap " + maxOffsets;
        String of = runs == 1 ? "1 run" : "median of " + runs + " runs, range " + p.range();
        List<Measurement> out = new ArrayList<>();
        out.add(new Measurement("passthrough", "Kafka->from_json->Kafka (" + settings + "), " + of, p.median(), "rec/s",
                String.format(Locale.ROOT, "%.2f of Kafka consume", p.median() / consumeRate), "", null));
        out.addAll(timeRows("passthrough", passthrough, triggerMs));
        of = runs == 1 ? "1 run" : "median of " + runs + " runs, range " + s.range();
        out.add(Measurement.plain("streaming", "events->lake+predictions (" + settings + "), " + of, s.median(), "rec/s"));
        out.addAll(timeRows("streaming", streaming, triggerMs));
        out.add(Measurement.checked("streaming", "streaming / passthrough (medians)", ratio, "ratio",
                "passthrough", ">= 0.90", ratio >= 0.9));
        out.add(Measurement.plain("streaming", "streaming / passthrough, per pair: lowest", pairs.min(), "ratio"));
        out.add(Measurement.plain("streaming", "streaming / passthrough, per pair: highest", pairs.max(), "ratio"));
        return out;
    }

    /** What the counted span of a query's runs is made of, over all its runs. */
    private static List<Measurement> timeRows(String part, List<BatchTimeline> runs, long triggerMs) {
        long span = runs.stream().mapToLong(BatchTimeline::spanMs).sum();
        long between = runs.stream().mapToLong(BatchTimeline::gapMs).sum();
        long inBatches = runs.stream().mapToLong(BatchTimeline::batchMs).sum();
        int counted = runs.stream().mapToInt(t -> t.counted().size()).sum();
        int gaps = runs.stream().mapToInt(t -> t.gapsMs().size()).sum();
        long maxGap = runs.stream().flatMap(t -> t.gapsMs().stream()).mapToLong(Long::longValue).max().orElse(0);
        List<Double> warmUps = runs.stream().map(BatchTimeline::warmUpMs).filter(Double::isFinite).toList();
        List<BatchTimeline.Batch> tails = runs.stream().flatMap(t -> t.partialTail().stream()).toList();
        List<Measurement> out = new ArrayList<>();
        out.add(Measurement.plain(part, "counted batches per run (warm-up and partial last batch left out)",
                (double) counted / runs.size(), "count"));
        out.add(Measurement.plain(part, "counted batch duration, mean", counted == 0 ? Double.NaN : (double) inBatches / counted, "ms"));
        out.add(Measurement.plain(part, "time between counted batches, mean (max " + maxGap + " ms)",
                gaps == 0 ? 0 : (double) between / gaps, "ms"));
        out.add(Measurement.plain(part, "time between counted batches / span", span == 0 ? Double.NaN : (double) between / span, "ratio"));
        // A batch shorter than the trigger waits for the next one: its query's rate is then the cap's, not its own.
        long belowTrigger = runs.stream().flatMap(t -> t.counted().stream()).filter(b -> b.durationMs() < triggerMs).count();
        out.add(Measurement.plain(part, "counted batches shorter than the trigger (rate bounded by cap / trigger)",
                belowTrigger, "count"));
        if (!warmUps.isEmpty()) {
            out.add(Measurement.plain(part, "warm-up batch (left out), median", Spread.of(warmUps).median(), "ms"));
        }
        if (!tails.isEmpty()) {
            out.add(Measurement.plain(part, "partial last batch (left out; " + String.format(Locale.ROOT, "%,d",
                    tails.get(0).rows()) + " rows in " + tails.size() + " of " + runs.size() + " runs), median",
                    Spread.of(tails.stream().map(b -> (double) b.durationMs()).toList()).median(), "ms"));
        }
        return out;
    }

    private static Duration consumeAll(KafkaSettings kafka, String topic, int n) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(kafka.toProperties(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long start = System.nanoTime();
            long count = 0;
            long bytes = 0;
            long deadline = start + TIMEOUT.toNanos();
            while (count < n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("consumed only " + count + " of " + n + " events from " + topic);
                }
                for (var r : consumer.poll(Duration.ofMillis(100))) {
                    count++;
                    bytes += r.value().length;
                }
            }
            if (bytes == 0) {
                throw new IllegalStateException("consumed " + count + " empty records from " + topic);
            }
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    /** The JSON shape of an event, as a plain Spark job would declare it. */
    static StructType eventStruct(EventSchema schema) {
        StructType struct = new StructType()
                .add(schema.idField(), DataTypes.StringType)
                .add(schema.eventTimeField(), DataTypes.StringType);
        for (Feature f : schema.features()) {
            struct = struct.add(f.name(), f.isNumeric() ? DataTypes.DoubleType : DataTypes.StringType);
        }
        if (schema.label() != null) {
            struct = struct.add(schema.label().name(), DataTypes.StringType);
        }
        return struct;
    }

    /** @param run the run's name, "run N" or "warm-up N" */
    private static BatchTimeline passthrough(BenchContext ctx, String eventsTopic, int n, String run) throws Exception {
        SparkSession spark = ctx.spark();
        String id = run.replace(" ", "");
        String outTopic = "bench.passthrough-" + id + ".out";
        ctx.createTopic(outTopic);
        Map<String, String> options = KafkaSource.clientOptions(ctx.kafka());
        Dataset<Row> in = spark.readStream().format("kafka").options(options)
                .option("subscribe", eventsTopic)
                .option("startingOffsets", "earliest")
                .option("maxOffsetsPerTrigger", Long.toString(ctx.sizes().maxOffsets()))
                .load();
        Column parsed = from_json(col("value").cast("string"), eventStruct(ctx.schema())).alias("e");
        Dataset<Row> out = in.select(col("key"), parsed).select(col("key"), to_json(col("e")).alias("value"));
        ProgressRecorder recorder = new ProgressRecorder(PASSTHROUGH_QUERY);
        spark.streams().addListener(recorder);
        JobProfiler jobs = ctx.startJobProfile();
        StreamingQuery query = out.writeStream().format("kafka").options(options)
                .queryName(PASSTHROUGH_QUERY)
                .option("topic", outTopic)
                .option("checkpointLocation", ctx.dir("passthrough-" + id + "/checkpoint").toString())
                .trigger(Trigger.ProcessingTime(ctx.sizes().throughputTrigger().toMillis()))
                .start();
        try {
            awaitRows(() -> recorder.rows() >= n, () -> query.exception().isDefined() ? query.exception().get() : null,
                    "passthrough rows " + n);
            return finish(ctx, "passthrough", run, jobs, recorder);
        } finally {
            stopQuietly(query);
            spark.streams().removeListener(recorder);
        }
    }

    private static BatchTimeline streaming(BenchContext ctx, String eventsTopic, int n, String run) throws Exception {
        String id = run.replace(" ", "");
        Topics topics = ctx.topicsReading(eventsTopic, "tput-" + id);
        ProgressRecorder recorder = new ProgressRecorder(StreamingOptions.QUERY_NAME);
        ctx.spark().streams().addListener(recorder);
        JobProfiler jobs = ctx.startJobProfile();
        StreamingJob job = ctx.startJob(ctx.streamingConfig("streaming-" + id, topics, ctx.sizes().throughputTrigger(),
                ctx.sizes().maxOffsets()));
        try {
            awaitRows(() -> job.status().predictions() >= n && recorder.rows() >= n,
                    () -> job.query().exception().isDefined() ? job.query().exception().get() : null, "streaming predictions " + n);
            if (job.status().eventsToLake() != n) {
                throw new IllegalStateException("streaming job wrote " + job.status().eventsToLake() + " lake rows for " + n + " events");
            }
            return finish(ctx, "streaming", run, jobs, recorder);
        } finally {
            job.stop();
            ctx.spark().streams().removeListener(recorder);
        }
    }

    /** Keeps the run's stage and job profile and its timeline for the JSON report, and prints the run's figures. */
    private static BatchTimeline finish(BenchContext ctx, String query, String run, JobProfiler jobs, ProgressRecorder recorder) {
        String name = query + " " + run;
        ctx.endProfile(name, jobs, recorder);
        BatchTimeline timeline = recorder.timeline();
        ctx.profile(name + " timeline", timeline.summary());
        System.out.printf(Locale.ROOT, "bench: %s: %,.0f rec/s, %d batches (%d counted); span %,d ms = %,d in "
                        + "batches + %,d between them; batches (start offset ms, duration ms, rows): %s%n", name,
                timeline.rowsPerSecond(), timeline.batches(), timeline.counted().size(), timeline.spanMs(), timeline.batchMs(),
                timeline.gapMs(), timeline.describe());
        return timeline;
    }

    static void awaitRows(BooleanSupplier done, java.util.function.Supplier<Throwable> failure, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            Throwable t = failure.get();
            if (t != null) {
                throw new IllegalStateException(what + ": query failed: " + t.getMessage(), t);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + TIMEOUT + " waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static void stopQuietly(StreamingQuery query) {
        try {
            query.stop();
        } catch (TimeoutException e) {
            // best effort: the run goes on
        }
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
