package dev.streamtree.retrain;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.lake.table.LakeTable;
import dev.streamtree.lake.table.LakeTables;
import dev.streamtree.retrain.source.LabelledEvents;
import dev.streamtree.retrain.source.LakeTableEvents;
import dev.streamtree.testing.TestSpark;
import dev.streamtree.testing.iam.AwsCallJournal;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code --catalog glue}: the retrain reads the lake through Iceberg's Glue catalog as the session's
 * {@code spark_catalog}, with a WireMock server answering Glue's GetDatabase and GetTable. The table is a real one
 * written by the real lake writer on local disk; Glue's answer points at its current metadata file, as Glue does for
 * an Iceberg table on S3 (local files stand in for S3: the catalog's file IO is Hadoop's here, S3FileIO in the jobs).
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
        // Glue requests are signed; the SDK's default chain finds these (no real credentials exist here).
        System.setProperty("aws.accessKeyId", "test-key-id");
        System.setProperty("aws.secretAccessKey", "test-secret");
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
    void readsTheIcebergTableGlueCataloguesThroughTheSessionsSparkCatalog() {
        EventSchema schema = SchemaCodec.load("builtin:agrawal");
        String lake = dir.resolve("lake").toUri().toString();
        // 200 events one second apart from 10:59:00: 60 in hour 10, 140 in hour 11.
        new AgrawalLake(spark, schema, lake, "streamtree", Instant.parse("2024-05-01T10:59:00Z")).append(200, 1, 7);
        LakeTables local = new LakeTables(CatalogKind.LOCAL, lake, null).qualified(spark.sparkContext().hadoopConfiguration());
        Table written = local.load(local.catalog(spark.sparkContext().hadoopConfiguration()),
                LakeTables.identifier("streamtree", "events"));
        String metadata = ((HasTableOperations) written).operations().current().metadataFileLocation();
        answer("AWSGlue.GetDatabase", okJson("{\"Database\":{\"Name\":\"streamtree\"}}"));
        // Glue knows the events table only: the reader asks for the labels table too and must find none.
        glue.stubFor(post(urlEqualTo("/")).atPriority(1).withHeader("X-Amz-Target", equalTo("AWSGlue.GetTable"))
                .withRequestBody(matchingJsonPath("$.Name", equalTo("events")))
                .willReturn(okJson("{\"Table\":{\"Name\":\"events\",\"DatabaseName\":\"streamtree\","
                        + "\"TableType\":\"EXTERNAL_TABLE\",\"Parameters\":{\"table_type\":\"ICEBERG\",\"metadata_location\":\""
                        + metadata + "\"}}}")));
        glue.stubFor(post(urlEqualTo("/")).atPriority(5).withHeader("X-Amz-Target", equalTo("AWSGlue.GetTable"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withHeader("x-amzn-ErrorType", "EntityNotFoundException")
                        .withBody("{\"__type\":\"EntityNotFoundException\",\"Message\":\"Table not found\"}")));
        LakeTables viaGlue = new LakeTables(CatalogKind.GLUE, lake, "eu-west-1", Map.of(
                "glue.endpoint", glue.baseUrl(), "io-impl", "org.apache.iceberg.hadoop.HadoopFileIO"));

        LabelledEvents.TableRows read = new LakeTableEvents(spark, viaGlue, LakeTables.identifier("streamtree", "events"))
                .read(schema, Optional.of(Instant.parse("2024-05-01T11:00:00Z")));

        assertThat(read.snapshotId()).hasValue(written.currentSnapshot().snapshotId());
        assertThat(read.rows().schema()).as("columns and types of the lake").isEqualTo(LakeTable.sparkSchema(schema));
        assertThat(read.rows().count()).as("rows of hour 11").isEqualTo(140);
        glue.verify(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AWSGlue.GetTable")));
    }

    private static void answer(String target, ResponseDefinitionBuilder response) {
        glue.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).willReturn(response));
    }
}
