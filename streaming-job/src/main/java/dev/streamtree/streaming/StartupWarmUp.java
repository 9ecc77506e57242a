package dev.streamtree.streaming;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.Feature;
import dev.streamtree.lake.table.LakeBatch;
import dev.streamtree.lake.table.LakeBatchWriter;
import dev.streamtree.streaming.parse.EventParsing;
import dev.streamtree.streaming.parse.ParseCounts;
import dev.streamtree.streaming.sink.KafkaSink;
import dev.streamtree.streaming.sink.RecordSender;
import dev.streamtree.streaming.sink.TaskProducers;
import dev.streamtree.streaming.source.KafkaSource;
import org.apache.commons.io.file.PathUtils;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs the micro-batch pass ({@link BatchPass}) once before the query starts, on synthetic valid events of the schema
 * that make a round trip through a scratch topic (created and deleted here) and Spark's Kafka source and sink, with
 * their lake files going through the job's writer, journal and committer into a scratch Iceberg table in a temporary
 * directory (deleted afterwards): nothing reaches the lake, the catalog or the job's topics. A new JVM's first batch
 * with data otherwise pays for loading and compiling the pass, Spark's code generation, its Kafka consumer and
 * producer and Iceberg's Parquet writer (6.5-9.5 s for the demo's first batch of a few records on this 2-core machine,
 * against 0.5-0.7 s for a warm batch of 250), and its first lake commit for Iceberg's snapshot and manifest writers
 * (1.0 s), while events wait.
 *
 * <p>Only with a local master: there the tasks run in this JVM, so warming it up warms them; on a cluster the
 * executors are other JVMs and this would only cost the driver time.
 */
final class StartupWarmUp {

    private static final Logger LOG = LoggerFactory.getLogger(StartupWarmUp.class);

    /** Synthetic events per task; the demo's batches carry about 100 per partition. */
    static final int EVENTS_PER_PARTITION = 200;
    private static final int PARTITIONS = 2;

    private StartupWarmUp() {
    }

    /** Whether {@code spark} runs its tasks in this JVM. */
    static boolean applies(SparkSession spark) {
        return spark.sparkContext().isLocal();
    }

    /**
     * Runs the pass over {@value #EVENTS_PER_PARTITION} synthetic events in each of two tasks, writing lake files
     * shaped as {@code events}' (schema, partition spec, write properties) to a scratch table. With {@code kafka},
     * the events make a round trip through a scratch topic of the job's brokers (created, then deleted): read by
     * Spark's Kafka source and the pass's output written by its Kafka sink, as a batch of the query is, with
     * {@value #BAD_PER_PARTITION} undecodable records per partition so that the dead-letter path and the sink's
     * producer run too. Where the topic cannot be made (no rights, say) the events come from memory instead.
     *
     * @param kafka the job's brokers, or null for the in-memory events only
     * @return what it did and how long it took
     * @throws UncheckedIOException when the scratch directory cannot be made
     */
    static Outcome run(SparkSession spark, EventSchema schema, Table events, KafkaSettings kafka) {
        long started = System.nanoTime();
        boolean viaKafka;
        long lakeRows;
        long refused;
        Path scratch;
        try {
            scratch = Files.createTempDirectory("streamtree-streaming-warm-up");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the warm-up's scratch directory: " + e.getMessage(), e);
        }
        try {
            String location = scratch.resolve("events").toUri().toString();
            Table table = new HadoopTables(new Configuration()).create(events.schema(), events.spec(),
                    events.properties(), location);
            // The job's writer and committer: the batch's journal entry and its merging append are warmed up too
            // (the first commit of a new JVM took 1.0 s in the demo, delaying the first rows' visibility a second).
            try (LakeBatchWriter writer = LakeBatchWriter.start(table, scratch.resolve("journal").toUri().toString(),
                    "warmup", spark.sparkContext(), Duration.ofHours(1), LakeBatchWriter.MAX_OPEN_FILES_PER_TASK)) {
                LakeBatch batch = writer.begin(0);
                CollectionAccumulator<DataFile> files = spark.sparkContext().collectionAccumulator("streamtree warm-up files");
                List<Row> synthetic = records(schema, Instant.now());
                ParseCounts counts = ParseCounts.register(spark.sparkContext());
                viaKafka = kafka != null && throughKafka(spark, schema, kafka, synthetic, batch, files, counts);
                if (!viaKafka) {
                    BatchPass pass = new BatchPass(new EventValidator(schema), counts, null, batch.target(), files,
                            SCRATCH_OUTPUT, SCRATCH_OUTPUT, Instant.now());
                    // a local relation is split into the session's default parallelism: one task per core, as the job's
                    pass.run(spark.createDataFrame(synthetic, SOURCE), RecordSender.DISCARD);
                }
                lakeRows = writer.finish(batch, files.value()).rows();
                refused = counts.refused().value();
            } // close commits the journaled batch
        } finally {
            delete(scratch);
        }
        return new Outcome(Duration.ofNanos(System.nanoTime() - started), viaKafka, lakeRows, refused);
    }

    /**
     * @param took     how long the warm-up took
     * @param viaKafka whether the events made the round trip through a scratch topic
     * @param lakeRows rows the pass wrote to the scratch table
     * @param refused  records the pass refused (sent as dead letters to the scratch topic)
     */
    record Outcome(Duration took, boolean viaKafka, long lakeRows, long refused) {
    }

    /** Undecodable records per partition in the Kafka round trip. */
    static final int BAD_PER_PARTITION = 2;
    /** The topic the in-memory pass's output rows would name; they are dropped. */
    private static final String SCRATCH_OUTPUT = "streamtree-warm-up";
    /** How long the scratch topic's partitions may take to have leaders. */
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(30);

    /**
     * The round trip through a scratch topic; false, having written nothing to the lake, when the topic cannot be
     * created. The topic is deleted whatever happens after its creation.
     */
    private static boolean throughKafka(SparkSession spark, EventSchema schema, KafkaSettings kafka, List<Row> synthetic,
                                        LakeBatch batch, CollectionAccumulator<DataFile> files, ParseCounts counts) {
        String topic = SCRATCH_OUTPUT + "-" + UUID.randomUUID();
        try (Admin admin = Admin.create(kafka.toProperties())) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(PARTITIONS), Optional.empty())))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                LOG.info("warm-up without Kafka: cannot create its scratch topic {} ({})", topic, e.getMessage());
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                awaitLeaders(admin, topic);
                produce(kafka, topic, synthetic);
                BatchPass pass = new BatchPass(new EventValidator(schema), counts, null, batch.target(), files, topic,
                        topic, Instant.now());
                Dataset<Row> source = KafkaSource.passColumns(spark.read().format("kafka")
                        .options(KafkaSource.clientOptions(kafka))
                        .option("subscribe", topic)
                        .option("startingOffsets", "earliest")
                        .option("endingOffsets", "latest")
                        .load());
                String owner = "warm-up-" + UUID.randomUUID();
                try {
                    pass.run(source, KafkaSink.sender(owner, kafka));
                } finally {
                    TaskProducers.close(owner);
                }
                return true;
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("the warm-up's scratch topic " + topic + " could not be filled: "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while filling the warm-up's scratch topic " + topic, e);
            } finally {
                try {
                    admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("cannot delete the warm-up's scratch topic {} ({}); it holds only synthetic records",
                            topic, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Waits until every partition of the new scratch topic has a leader. Once, in an integration run of 2026-12-05, the
     * broker refused a batch of the warm-up's producer with OutOfOrderSequenceException (sequence 0 after 201) until
     * the 120 s delivery timeout, which the warm-up waited out; the cause was not found. A first send before a
     * partition's leader is known is the usual way an idempotent producer's first batch comes to be retried, so the
     * warm-up no longer sends before the leaders are there; and its sends are bounded and checked ({@link #produce}).
     */
    private static void awaitLeaders(Admin admin, String topic) throws ExecutionException, TimeoutException,
            InterruptedException {
        long deadline = System.nanoTime() + LEADERS_TIMEOUT.toNanos();
        while (true) {
            TopicDescription description;
            try {
                description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(LEADERS_TIMEOUT.toSeconds(), TimeUnit.SECONDS).get(topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                description = null; // created, not yet in the broker's metadata
            }
            if (description != null && description.partitions().size() == PARTITIONS
                    && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("scratch topic " + topic + " has no leader for each of its " + PARTITIONS
                        + " partitions after " + LEADERS_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    /**
     * Sends the synthetic events and bad records; a send that fails, or has not completed in 20 s, fails the warm-up
     * (the job then starts cold).
     */
    private static void produce(KafkaSettings kafka, String topic, List<Row> synthetic) throws ExecutionException,
            InterruptedException {
        Properties properties = kafka.toProperties();
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "20000");
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(properties, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Row row : synthetic) {
                sent.add(producer.send(new ProducerRecord<>(topic, row.getInt(3), (byte[]) row.get(0), (byte[]) row.get(1))));
            }
            for (int partition = 0; partition < PARTITIONS; partition++) {
                for (int i = 0; i < BAD_PER_PARTITION; i++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, partition, ("warm-up-bad-" + partition + "-" + i)
                            .getBytes(StandardCharsets.UTF_8), "not an event".getBytes(StandardCharsets.UTF_8))));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> record : sent) {
                record.get();
            }
        }
    }

    /** {@link EventParsing#SOURCE_COLUMNS} with the Kafka source's types. */
    private static final StructType SOURCE = DataTypes.createStructType(List.of(
            DataTypes.createStructField("key", DataTypes.BinaryType, true),
            DataTypes.createStructField("value", DataTypes.BinaryType, true),
            DataTypes.createStructField("topic", DataTypes.StringType, true),
            DataTypes.createStructField("partition", DataTypes.IntegerType, true),
            DataTypes.createStructField("offset", DataTypes.LongType, true)));

    /** Valid events of the schema as Kafka source rows: features at random within their ranges, one per second. */
    static List<Row> records(EventSchema schema, Instant end) {
        Random random = new Random(17);
        List<String> classes = schema.labelSpec().map(l -> l.classes()).orElse(List.of());
        int count = EVENTS_PER_PARTITION * PARTITIONS;
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "warm-up-" + i;
            ObjectNode event = Json.mapper().createObjectNode();
            event.put(schema.idField(), id);
            event.put(schema.eventTimeField(), end.minusSeconds(count - i).toString());
            for (Feature feature : schema.features()) {
                event.set(feature.name(), Json.mapper().valueToTree(feature.valueAt(random.nextDouble())));
            }
            if (!classes.isEmpty()) {
                event.put(schema.labelSpec().orElseThrow().name(), classes.get(i % classes.size()));
            }
            rows.add(RowFactory.create(id.getBytes(StandardCharsets.UTF_8), event.toString().getBytes(StandardCharsets.UTF_8),
                    "streamtree-warm-up", i % PARTITIONS, (long) i));
        }
        return rows;
    }

    private static void delete(Path directory) {
        try {
            PathUtils.deleteDirectory(directory);
        } catch (IOException e) {
            LOG.warn("cannot delete the warm-up's scratch directory {}: {}", directory, e.getMessage());
        }
    }
}
