package dev.streamtree.lake.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.streamtree.testing.iam.AwsCallJournal;
import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.catalog.LakePartition;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.SchemaCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.glue.GlueClient;

import java.net.URI;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Starts a local WireMock HTTP server standing in for Glue and checks the exact requests the catalog sends. */
class GlueEventCatalogIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EventSchema SCHEMA = SchemaCodec.load("builtin:agrawal");
    private static final String LOCATION = "s3://lake-bucket/streamtree/events";

    /** The jobs make these Glue calls: after the class, deploy/iam/streamtree-jobs-policy.json must allow each one. */
    @RegisterExtension
    static final AwsCallJournal CALLS = AwsCallJournal.checkedAgainst("streamtree-jobs-policy.json", Map.of());

    private WireMockServer glue;
    private GlueClient client;
    private GlueEventCatalog catalog;

    @BeforeEach
    void start() {
        glue = new WireMockServer(options().dynamicPort());
        glue.start();
        CALLS.record(glue);
        client = GlueClient.builder()
                .endpointOverride(URI.create(glue.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test-key-id", "test-secret")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD))
                .build();
        catalog = new GlueEventCatalog(client, "streamtree", "events");
    }

    @AfterEach
    void stop() {
        client.close();
        glue.stop();
    }

    @Test
    void createsDatabaseAndPartitionedParquetTableWithSchemaColumns() throws Exception {
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", okJson("{}"));

        catalog.ensureTable(SCHEMA, LOCATION + "/");

        JsonNode database = body(only("AWSGlue.CreateDatabase"));
        assertThat(database.at("/DatabaseInput/Name").asText()).isEqualTo("streamtree");
        LoggedRequest createTable = only("AWSGlue.CreateTable");
        assertThat(createTable.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(createTable.getHeader("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=test-key-id/")
                .contains("/eu-west-1/glue/aws4_request");
        JsonNode table = body(createTable);
        assertThat(table.at("/DatabaseName").asText()).isEqualTo("streamtree");
        JsonNode input = table.at("/TableInput");
        assertThat(input.at("/Name").asText()).isEqualTo("events");
        assertThat(input.at("/TableType").asText()).isEqualTo("EXTERNAL_TABLE");
        assertThat(input.at("/Parameters/classification").asText()).isEqualTo("parquet");
        assertThat(input.at("/PartitionKeys")).isEqualTo(JSON.readTree(
                "[{\"Name\":\"event_date\",\"Type\":\"string\"},{\"Name\":\"event_hour\",\"Type\":\"int\"}]"));
        JsonNode storage = input.at("/StorageDescriptor");
        assertThat(storage.at("/Location").asText()).isEqualTo(LOCATION);
        assertThat(storage.at("/InputFormat").asText()).isEqualTo(GlueEventCatalog.INPUT_FORMAT);
        assertThat(storage.at("/OutputFormat").asText()).isEqualTo(GlueEventCatalog.OUTPUT_FORMAT);
        assertThat(storage.at("/SerdeInfo/SerializationLibrary").asText()).isEqualTo(GlueEventCatalog.SERDE);
        List<String> columns = new ArrayList<>();
        storage.at("/Columns").forEach(c -> columns.add(c.get("Name").asText() + ":" + c.get("Type").asText()));
        assertThat(columns).containsExactly("id:string", "event_time:timestamp", "salary:double", "commission:double",
                "age:double", "elevel:string", "car:string", "zipcode:string", "hvalue:double", "hyears:double",
                "loan:double", "label:string");
    }

    @Test
    void alreadyExistingDatabaseAndTableAreSuccess() {
        answer("AWSGlue.CreateDatabase", alreadyExists("Database already exists."));
        answer("AWSGlue.CreateTable", alreadyExists("Table already exists."));
        answer("AWSGlue.BatchCreatePartition", okJson("{}"));

        catalog.ensureTable(SCHEMA, LOCATION);
        catalog.addPartitions(List.of(new LakePartition("2024-01-01", 0)));

        assertThat(glue.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(3);
    }

    @Test
    void asksGlueOnlyForPartitionsItHasNotRegisteredYet() throws Exception {
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", okJson("{}"));
        answer("AWSGlue.BatchCreatePartition", okJson("{\"Errors\":[]}"));

        catalog.ensureTable(SCHEMA, LOCATION);
        catalog.addPartitions(List.of(new LakePartition("2024-01-01", 0)));
        catalog.addPartitions(List.of(new LakePartition("2024-01-01", 0)));
        catalog.addPartitions(List.of(new LakePartition("2024-01-01", 0), new LakePartition("2024-01-01", 1)));

        List<LoggedRequest> calls = glue.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AWSGlue.BatchCreatePartition")));
        assertThat(calls).hasSize(2);
        assertThat(body(calls.get(1)).at("/PartitionInputList").size()).isEqualTo(1);
        assertThat(body(calls.get(1)).at("/PartitionInputList/0/Values/1").asText()).isEqualTo("1");
    }

    @Test
    void sendsAtMostOneHundredPartitionsPerCallWithValuesAndLocations() throws Exception {
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", okJson("{}"));
        answer("AWSGlue.BatchCreatePartition", okJson("{\"Errors\":[]}"));
        List<LakePartition> partitions = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            partitions.add(new LakePartition(LocalDate.parse("2024-01-01").plusDays(i / 24).toString(), i % 24));
        }

        catalog.ensureTable(SCHEMA, LOCATION);
        catalog.addPartitions(partitions);

        List<LoggedRequest> calls = glue.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("AWSGlue.BatchCreatePartition")));
        List<Integer> sizes = new ArrayList<>();
        List<String> sent = new ArrayList<>();
        for (LoggedRequest call : calls) {
            JsonNode body = body(call);
            assertThat(body.at("/DatabaseName").asText()).isEqualTo("streamtree");
            assertThat(body.at("/TableName").asText()).isEqualTo("events");
            sizes.add(body.at("/PartitionInputList").size());
            body.at("/PartitionInputList").forEach(p -> sent.add(p.at("/Values/0").asText() + "/" + p.at("/Values/1").asText()
                    + " @ " + p.at("/StorageDescriptor/Location").asText()));
        }
        assertThat(sizes).containsExactly(100, 100, 50);
        assertThat(sent).hasSize(250).first().isEqualTo("2024-01-01/0 @ " + LOCATION + "/event_date=2024-01-01/event_hour=0");
        assertThat(sent).last().isEqualTo("2024-01-11/9 @ " + LOCATION + "/event_date=2024-01-11/event_hour=9");
    }

    @Test
    void partitionsThatAlreadyExistAreSuccessButOtherPartitionErrorsFail() {
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", okJson("{}"));
        catalog.ensureTable(SCHEMA, LOCATION);

        answer("AWSGlue.BatchCreatePartition", okJson("{\"Errors\":[{\"PartitionValues\":[\"2024-01-01\",\"1\"],"
                + "\"ErrorDetail\":{\"ErrorCode\":\"AlreadyExistsException\",\"ErrorMessage\":\"exists\"}}]}"));
        catalog.addPartitions(List.of(new LakePartition("2024-01-01", 1)));

        answer("AWSGlue.BatchCreatePartition", okJson("{\"Errors\":[{\"PartitionValues\":[\"2024-01-01\",\"2\"],"
                + "\"ErrorDetail\":{\"ErrorCode\":\"InternalServiceException\",\"ErrorMessage\":\"boom\"}}]}"));
        assertThatThrownBy(() -> catalog.addPartitions(List.of(new LakePartition("2024-01-01", 2))))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("streamtree.events")
                .hasMessageContaining("[2024-01-01, 2] InternalServiceException: boom");
    }

    @Test
    void refusedTableCreationNamesTheTable() {
        answer("AWSGlue.CreateDatabase", okJson("{}"));
        answer("AWSGlue.CreateTable", aResponse().withStatus(400)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"AccessDeniedException\",\"Message\":\"not allowed\"}"));

        assertThatThrownBy(() -> catalog.ensureTable(SCHEMA, LOCATION))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("streamtree.events").hasMessageContaining("not allowed");
        assertThatThrownBy(() -> catalog.addPartitions(List.of(new LakePartition("2024-01-01", 2))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("ensureTable");
    }

    private void answer(String target, ResponseDefinitionBuilder response) {
        glue.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)).willReturn(response));
    }

    private static ResponseDefinitionBuilder alreadyExists(String message) {
        return aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"AlreadyExistsException\",\"Message\":\"" + message + "\"}");
    }

    private LoggedRequest only(String target) {
        List<LoggedRequest> requests = glue.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target)));
        assertThat(requests).as(target + " requests").hasSize(1);
        return requests.get(0);
    }

    private static JsonNode body(LoggedRequest request) throws Exception {
        return JSON.readTree(request.getBodyAsString());
    }
}
