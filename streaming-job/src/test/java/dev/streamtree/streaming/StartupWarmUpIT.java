package dev.streamtree.streaming;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.kafka.embedded.TestKafka;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.testing.TestSpark;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The start-up warm-up against a real broker and Spark: its events make the round trip through a scratch topic and
 * Spark's Kafka source and sink, its undecodable records are refused, and it leaves no topic, no lake row and no
 * temporary directory behind.
 */
class StartupWarmUpIT {

    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");

    private static TestKafka kafka;
    private static SparkSession spark;

    @TempDir
    static Path lakes;

    @BeforeAll
    static void start() {
        kafka = TestKafka.start();
        spark = TestSpark.local("StartupWarmUpIT");
    }

    @AfterAll
    static void stop() throws Exception {
        spark.stop();
        kafka.close();
    }

    @Test
    void throughAScratchTopicThatIsDeletedAfterwardsWithNothingKept() throws Exception {
        LakeTables tables = new LakeTables(CatalogKind.LOCAL, lakes.toUri().toString(), null);
        Table events = tables.ensureEventsTable(tables.catalog(new Configuration()),
                LakeTables.identifier("streamtree", "events"), SCHEMA);
        Set<String> topicsBefore = topics();
        Set<String> tempBefore = warmUpDirectories();

        StartupWarmUp.Outcome outcome = StartupWarmUp.run(spark, SCHEMA, events, KafkaSettings.of(kafka.bootstrapServers()));

        assertThat(outcome.viaKafka()).as("through the scratch topic, not from memory").isTrue();
        assertThat(outcome.lakeRows()).as("every synthetic event reached the scratch table")
                .isEqualTo(2L * StartupWarmUp.EVENTS_PER_PARTITION);
        assertThat(outcome.refused()).as("the undecodable records").isEqualTo(2L * StartupWarmUp.BAD_PER_PARTITION);
        // the deletion has been accepted by the controller when run returns; the broker's metadata follows it
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!topics().equals(topicsBefore) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(topics()).as("the scratch topic is deleted").isEqualTo(topicsBefore);
        events.refresh();
        assertThat(events.currentSnapshot()).as("nothing in the job's lake table").isNull();
        assertThat(warmUpDirectories()).as("the scratch directory is deleted").isEqualTo(tempBefore);

        StartupWarmUp.Outcome withoutKafka = StartupWarmUp.run(spark, SCHEMA, events, null);
        assertThat(withoutKafka.viaKafka()).isFalse();
        assertThat(withoutKafka.lakeRows()).isEqualTo(2L * StartupWarmUp.EVENTS_PER_PARTITION);
        assertThat(withoutKafka.refused()).isZero();
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(KafkaSettings.of(kafka.bootstrapServers()).toProperties())) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static Set<String> warmUpDirectories() throws Exception {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("streamtree-streaming-warm-up"))
                    .collect(java.util.stream.Collectors.toSet());
        }
    }
}
