import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.common.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Helper of scripts/standalone-cluster-test.sh, run as a single-file Java program on the launcher's classpath. It reads
 * what the cluster wrote, independently of the streaming job:
 *
 *   verify LAKE BOOTSTRAP TOPIC   prints two lines:
 *                                 "lake <rows> <distinct ids>" of the Iceberg lake table, read with a local Spark, and
 *                                 "predictions <records> <distinct event ids> <distinct (id,version,batch)> <versions>"
 *                                 of the predictions topic, read (read_committed) up to its end offsets as of the start.
 */
public final class ClusterCheck {

    private static final Duration READ_DEADLINE = Duration.ofSeconds(120);

    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[0].equals("verify")) {
            throw new IllegalArgumentException("usage: ClusterCheck verify LAKE BOOTSTRAP TOPIC");
        }
        System.out.println(lake(args[1]));
        System.out.println(predictions(args[2], args[3]));
    }

    private static String lake(String lake) throws Exception {
        // The lake's Iceberg table streamtree.events, through a Hadoop catalog over the lake (LakeTables.sparkConf()).
        try (SparkSession spark = SparkSession.builder().appName("streamtree-cluster-check").master("local[2]")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.catalog.spark_catalog", "org.apache.iceberg.spark.SparkSessionCatalog")
                .config("spark.sql.catalog.spark_catalog.type", "hadoop")
                .config("spark.sql.catalog.spark_catalog.warehouse", lake).getOrCreate()) {
            Dataset<Row> rows = spark.table("streamtree.events");
            return "lake " + rows.count() + " " + rows.select("id").distinct().count();
        }
    }

    private static String predictions(String bootstrap, String topic) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("enable.auto.commit", "false");
        props.put("isolation.level", "read_committed");
        long records = 0;
        Set<String> ids = new HashSet<>();
        Set<String> triples = new HashSet<>();
        Set<String> versions = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plus(READ_DEADLINE);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end + " in " + READ_DEADLINE);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    JsonNode json = Json.mapper().readTree(record.value());
                    String id = json.path("event_id").asText();
                    if (!id.equals(record.key())) {
                        throw new IllegalStateException("prediction key " + record.key() + " is not its event_id " + id);
                    }
                    String version = json.path("model_version").asText();
                    ids.add(id);
                    versions.add(version);
                    triples.add(id + "|" + version + "|" + json.path("batch_id").asLong());
                }
            }
        }
        return "predictions " + records + " " + ids.size() + " " + triples.size() + " "
                + (versions.isEmpty() ? "none" : String.join(",", versions.stream().sorted().toList()));
    }
}
