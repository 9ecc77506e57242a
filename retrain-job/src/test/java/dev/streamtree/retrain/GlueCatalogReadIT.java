package dev.streamtree.retrain;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.streamtree.lake.catalog.GlueEventCatalog;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.retrain.source.GlueCatalogEvents;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import dev.streamtree.testing.TestSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import dev.streamtree.testing.iam.AwsCallJournal;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --catalog glue} reads through Glue's API on a plain Spark session (no Hive support, no Glue metastore
 * client): a real local Spark reads a lake written by the real lake writer, and a WireMock server answers Glue's
 * GetTable and GetPartitions with that lake's locations. Only the partitions Glue lists are read.
 */
class GlueCatalogReadIT {

    /** The Glue calls the retrain's reader makes, checked against the jobs' shipped IAM policy after the class. */
    @RegisterExtension
    static final AwsCallJournal CALLS = AwsCallJournal.checkedAgainst("streamtree-jobs-policy.json", Map.of());

    @TempDir
    static Path dir;
    static SparkSession spark;
    static WireMockServer glue;

    @BeforeAll
    static void start() {
        spark = TestSpark.local("GlueCatalogReadIT");
        glue = new WireMockServer(options().dynamicPort());
        glue.start();
        CALLS.record(glue);
    }

    @AfterAll
    static void stop() {
        if (glue != null) {
            glue.stop();
        }
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void readsThePartitionsGlueListsWithTheLakesColumnTypesOnASessionWithoutHiveSupport() {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        String lake = dir.resolve("lake").toUri().toString().replaceAll("/$", "");
        // 200 events one second apart from 10:59:00: 60 in hour 10, 140 in hour 11.
        new AgrawalLake(spark, schema, lake, "glue_read_local", Instant.parse("2024-05-01T10:59:00Z")).append(200, 1, 7);
        LakePartition eleven = new LakePartition("2024-05-01", 11);
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", okJson("{}"));
        answer("AWSGlue.GetTable", okJson("{\"Table\":{\"Name\":\"events\",\"DatabaseName\":\"streamtree\","
                + "\"StorageDescriptor\":{\"Location\":\"" + lake + "\"}}}"));
        answer("AWSGlue.GetPartitions", okJson("{\"Partitions\":[{\"Values\":[\"2024-05-01\",\"11\"],"
                + "\"StorageDescriptor\":{\"Location\":\"" + lake + "/" + eleven.path() + "\"}}]}"));

        try (GlueClient client = GlueClient.builder()
                .endpointOverride(URI.create(glue.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key-id", "test-secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            GlueEventCatalog catalog = new GlueEventCatalog(client, "streamtree", "events");
            Dataset<Row> rows = new GlueCatalogEvents(spark, catalog, lake).read(schema);

            assertThat(spark.conf().get("spark.sql.catalogImplementation")).as("the session's catalog").isEqualTo("in-memory");
            // File sources read every column as nullable; names and types are the lake's.
            assertThat(rows.schema().asNullable()).as("columns and types of the lake").isEqualTo(LakeTable.sparkSchema(schema).asNullable());
            assertThat(rows.count()).as("rows of the one partition Glue lists").isEqualTo(140);
            Set<String> partitions = rows.select("event_date", "event_hour").distinct().collectAsList().stream()
                    .map(r -> r.getString(0) + "/" + r.getInt(1)).collect(Collectors.toSet());
            assertThat(partitions).containsExactly("2024-05-01/11");
        }
    }

    private static void answer(String target, ResponseDefinitionBuilder response) {
        glue.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).willReturn(response));
    }
}
