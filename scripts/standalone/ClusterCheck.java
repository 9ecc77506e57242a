import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.PendingVersion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.model.FeaturePipeline;
import dev.streamtree.lake.model.TreeParams;
import dev.streamtree.lake.registry.FileSystemModelRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Helper of scripts/standalone-cluster-test.sh, run as a single-file Java program on the launcher's classpath.
 *
 *   lake-rows LAKE                     prints "<rows> <distinct ids>" of the Parquet lake
 *   seed-model LAKE REGISTRY           fits the schema's tree on the lake's labelled rows, commits and promotes it
 *                                      (stand-in for `RetrainJobMain run` while the retrain job has no main)
 *   predictions BOOTSTRAP TOPIC IDLE_S prints "<records> <distinct event ids> <distinct (id,version,batch)> <versions>"
 */
public final class ClusterCheck {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "lake-rows" -> lakeRows(args[1]);
            case "seed-model" -> seedModel(args[1], args[2]);
            case "predictions" -> predictions(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    private static SparkSession spark() {
        return SparkSession.builder().appName("streamtree-cluster-check").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    private static void lakeRows(String lake) throws Exception {
        try (SparkSession spark = spark()) {
            Dataset<Row> rows = spark.read().option("basePath", lake).parquet(lake);
            System.out.println(rows.count() + " " + rows.select("id").distinct().count());
        }
    }

    private static void seedModel(String lake, String registryRoot) throws Exception {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        try (SparkSession spark = spark()) {
            Dataset<Row> rows = spark.read().option("basePath", lake).parquet(lake).cache();
            TreeParams params = TreeParams.of(8, 1);
            PipelineModel model = FeaturePipeline.fit(rows, schema, params);
            FileSystemModelRegistry registry = FileSystemModelRegistry.open(registryRoot, new Configuration());
            VersionId version;
            try (PendingVersion pending = registry.stage()) {
                model.write().overwrite().save(pending.modelLocation());
                version = pending.commit(new ModelMetadata(Instant.now(), schema.fingerprint(), schema.featureNames(),
                        schema.label().classes(), "all lake rows", rows.count(), 0, Map.of(), Map.of("maxDepth", "8"),
                        Map.of(), Map.of(), null, spark.version(), "0.1.0-SNAPSHOT"));
            }
            registry.promote(version, "standalone cluster test seed");
            System.out.println(version);
        }
    }

    private static void predictions(String bootstrap, String topic, int idleSeconds) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", "streamtree-cluster-check-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        props.put("enable.auto.commit", "false");
        props.put("isolation.level", "read_committed");
        long records = 0;
        Set<String> ids = new HashSet<>();
        Set<String> triples = new HashSet<>();
        Set<String> versions = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Instant lastRecord = Instant.now();
            while (Duration.between(lastRecord, Instant.now()).toSeconds() < idleSeconds) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    lastRecord = Instant.now();
                    records++;
                    JsonNode json = Json.mapper().readTree(record.value());
                    String id = json.path("event_id").asText();
                    if (!id.equals(record.key())) {
                        throw new IllegalStateException("prediction key " + record.key() + " is not its event_id " + id);
                    }
                    ids.add(id);
                    versions.add(json.path("model_version").asText());
                    triples.add(id + "|" + json.path("model_version").asText() + "|" + json.path("batch_id").asLong());
                }
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a prediction is not JSON: " + e.getMessage(), e);
        }
        System.out.println(records + " " + ids.size() + " " + triples.size() + " " + String.join(",", versions));
    }
}
