package dev.streamtree.bench.parts;

import dev.streamtree.bench.load.EventFeed;
import dev.streamtree.bench.report.Measurement;
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
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.to_json;

/**
 * Records/s through Kafka alone, a plain Spark Kafka->from_json->Kafka passthrough, and the streaming job, all on the
 * same preloaded events, the same broker, partitions, trigger and batch cap.
 */
public final class ThroughputPart {

    static final String PASSTHROUGH_QUERY = "bench-passthrough";
    private static final Duration TIMEOUT = Duration.ofMinutes(20);

    private ThroughputPart() {
    }

    public static List<Measurement> run(BenchContext ctx) throws Exception {
        int n = ctx.sizes().events();
        KafkaSettings kafka = ctx.kafka();
        Topics topics = ctx.topics("tput");
        List<Measurement> out = new ArrayList<>();

        EventFeed.Batch events = EventFeed.generate("tput", n, 11);
        Duration produce = EventFeed.send(kafka, topics.events(), events);
        double produceRate = n / seconds(produce);
        out.add(Measurement.plain("kafka", "produce (ProducerSettings, acks=all, lz4)", produceRate, "rec/s"));
        double consumeRate = n / seconds(consumeAll(kafka, topics.events(), n));
        out.add(Measurement.plain("kafka", "consume (plain KafkaConsumer)", consumeRate, "rec/s"));

        double passthrough = passthrough(ctx, topics.events(), n);
        String trigger = "trigger " + ctx.sizes().throughputTrigger().toMillis() + " ms, cap " + ctx.sizes().maxOffsets();
        out.add(new Measurement("passthrough", "Kafka->from_json->Kafka (" + trigger + ")", passthrough, "rec/s",
                String.format(java.util.Locale.ROOT, "%.2f of Kafka consume", passthrough / consumeRate), "", null));

        double streaming = streaming(ctx, topics, n);
        double ratio = streaming / passthrough;
        out.add(new Measurement("streaming", "events->lake+predictions (" + trigger + ")", streaming, "rec/s",
                "", "", null));
        out.add(Measurement.checked("streaming", "streaming / passthrough", ratio, "ratio", "passthrough", ">= 0.90",
                ratio >= 0.9));
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

    private static double passthrough(BenchContext ctx, String eventsTopic, int n) throws Exception {
        SparkSession spark = ctx.spark();
        String outTopic = "bench.passthrough.out";
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
                .option("checkpointLocation", ctx.dir("passthrough/checkpoint").toString())
                .trigger(Trigger.ProcessingTime(ctx.sizes().throughputTrigger().toMillis()))
                .start();
        try {
            awaitRows(() -> recorder.rows() >= n, () -> query.exception().isDefined() ? query.exception().get() : null,
                    "passthrough rows " + n);
            ctx.endProfile("passthrough", jobs, recorder);
            return recorder.rowsPerSecond();
        } finally {
            stopQuietly(query);
            spark.streams().removeListener(recorder);
        }
    }

    private static double streaming(BenchContext ctx, Topics topics, int n) throws Exception {
        ctx.versions();
        ProgressRecorder recorder = new ProgressRecorder(StreamingOptions.QUERY_NAME);
        ctx.spark().streams().addListener(recorder);
        JobProfiler jobs = ctx.startJobProfile();
        StreamingJob job = ctx.startJob(ctx.streamingConfig("streaming", topics, ctx.sizes().throughputTrigger(),
                ctx.sizes().maxOffsets()));
        try {
            awaitRows(() -> job.status().predictions() >= n && recorder.rows() >= n,
                    () -> job.query().exception().isDefined() ? job.query().exception().get() : null, "streaming predictions " + n);
            if (job.status().eventsToLake() != n) {
                throw new IllegalStateException("streaming job wrote " + job.status().eventsToLake() + " lake rows for " + n + " events");
            }
            ctx.endProfile("streaming", jobs, recorder);
            return recorder.rowsPerSecond();
        } finally {
            job.stop();
            ctx.spark().streams().removeListener(recorder);
        }
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
