package dev.streamtree.aws.emr;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.emr.EmrClient;

/** A WireMock server on 127.0.0.1 answering the EMR JSON API, and clients pointed at it with fake credentials. */
public final class EmrStub implements AutoCloseable {

    public static final String FAKE_ACCESS_KEY = "AKIDSTREAMTREETEST";
    public static final String FAKE_SECRET_KEY = "streamtree-test-secret-not-real";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final WireMockServer server;

    public EmrStub() {
        server = new WireMockServer(WireMockConfiguration.options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    public WireMockServer server() {
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    public EmrClient client() {
        return EmrClient.builder()
                .region(Region.EU_WEST_1)
                .endpointOverride(URI.create(endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(FAKE_ACCESS_KEY, FAKE_SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Answers {@code ElasticMapReduce.<operation>} with {@code body}. */
    public void answer(String operation, String body) {
        server.stubFor(post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("ElasticMapReduce." + operation))
                .willReturn(json(body)));
    }

    /** Answers DescribeStep with the given states in turn; the last one repeats. */
    public void stepStates(String stepId, String... statusJson) {
        String scenario = "step-" + stepId;
        for (int i = 0; i < statusJson.length; i++) {
            String state = i == 0 ? com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED : "poll-" + i;
            String next = i + 1 < statusJson.length ? "poll-" + (i + 1) : state;
            server.stubFor(post(urlEqualTo("/"))
                    .withHeader("X-Amz-Target", equalTo("ElasticMapReduce.DescribeStep"))
                    .inScenario(scenario)
                    .whenScenarioStateIs(state)
                    .willSetStateTo(next)
                    .willReturn(json("{\"Step\":{\"Id\":\"" + stepId + "\",\"Name\":\"streamtree-retrain\",\"Status\":"
                            + statusJson[i] + "}}")));
        }
    }

    public List<LoggedRequest> requests(String operation) {
        return server.findAll(postRequestedFor(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("ElasticMapReduce." + operation)));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", CONTENT_TYPE).withBody(body);
    }

    @Override
    public void close() {
        server.stop();
    }
}
