package dev.streamtree.aws.emr;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.streamtree.testing.iam.AwsCallJournal;
import dev.streamtree.common.json.Json;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.emr.EmrClient;

/** Sends the deployer's requests to a local EMR stub and checks their exact shape on the wire. */
class EmrDeployerIT {

    /**
     * Whoever runs {@code deploy emr} makes these EMR calls: after the class, deploy/iam/streamtree-deployer-policy.json
     * must allow each one, on clusters tagged as the example config tags the clusters it creates.
     */
    @RegisterExtension
    static final AwsCallJournal CALLS = AwsCallJournal.checkedAgainst("streamtree-deployer-policy.json",
            EmrDeployConfig.read(EmrTestConfigs.EXAMPLE).cluster().tags());

    private final EmrStub stub = new EmrStub();
    private final EmrClient client = stub.client();
    private final EmrDeployer deployer = new EmrDeployer(client);
    private final EmrDeployConfig config = EmrDeployConfig.read(EmrTestConfigs.EXAMPLE);

    @BeforeEach
    void recordCalls() {
        CALLS.record(stub.server());
    }

    @AfterEach
    void stop() {
        client.close();
        stub.close();
    }

    @Test
    void upSendsRunJobFlowAsRenderedAndReturnsTheClusterId() throws Exception {
        stub.answer("RunJobFlow", "{\"JobFlowId\":\"j-3UP1CLUSTER\",\"ClusterArn\":\"arn:aws:elasticmapreduce:eu-west-1:000000000000:cluster/j-3UP1CLUSTER\"}");

        String clusterId = deployer.up(config);

        assertThat(clusterId).isEqualTo("j-3UP1CLUSTER");
        LoggedRequest sent = stub.requests("RunJobFlow").get(0);
        assertThat(sent.getHeader("Content-Type")).startsWith("application/x-amz-json-1.1");
        assertThat(sent.getHeader("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=" + EmrStub.FAKE_ACCESS_KEY + "/")
                .contains("/eu-west-1/elasticmapreduce/aws4_request")
                .doesNotContain(EmrStub.FAKE_SECRET_KEY);
        JsonNode body = Json.mapper().readTree(sent.getBodyAsString());
        assertThat(body).isEqualTo(RequestJson.render(EmrRequests.runJobFlow(config)));
        assertThat(body.path("ReleaseLabel").asText()).isEqualTo("emr-spark-8.1.0");
        assertThat(body.path("StepConcurrencyLevel").asInt()).isEqualTo(2);
        assertThat(body.path("Instances").path("KeepJobFlowAliveWhenNoSteps").asBoolean()).isTrue();
        assertThat(body.path("Configurations").get(0).path("Properties").path("hive.metastore.client.factory.class").asText())
                .isEqualTo(EmrRequests.GLUE_METASTORE_FACTORY);
        JsonNode step = body.path("Steps").get(0);
        assertThat(step.path("HadoopJarStep").path("Jar").asText()).isEqualTo("command-runner.jar");
        assertThat(Json.mapper().convertValue(step.path("HadoopJarStep").path("Args"), List.class))
                .isEqualTo(EmrRequests.streamingStep(config).hadoopJarStep().args());
        assertThat(sent.getBodyAsString()).contains("\"spark.yarn.submit.waitAppCompletion=false\"");
    }

    @Test
    void retrainWaitsThroughRunningToCompleted() throws Exception {
        stub.answer("AddJobFlowSteps", "{\"StepIds\":[\"s-RETRAIN1\"]}");
        stub.stepStates("s-RETRAIN1", "{\"State\":\"PENDING\"}", "{\"State\":\"RUNNING\"}", "{\"State\":\"RUNNING\"}",
                "{\"State\":\"COMPLETED\"}");

        String stepId = deployer.addRetrainStep(config, "j-3UP1CLUSTER");
        StepOutcome outcome = deployer.awaitStep("j-3UP1CLUSTER", stepId, Duration.ofSeconds(30), Duration.ofMillis(20));

        assertThat(outcome).isEqualTo(new StepOutcome("s-RETRAIN1", "COMPLETED", ""));
        JsonNode added = Json.mapper().readTree(stub.requests("AddJobFlowSteps").get(0).getBodyAsString());
        assertThat(added.path("JobFlowId").asText()).isEqualTo("j-3UP1CLUSTER");
        assertThat(added.path("Steps").get(0).path("ActionOnFailure").asText()).isEqualTo("CONTINUE");
        assertThat(added.path("Steps").get(0).path("HadoopJarStep").path("Args").toString())
                .contains("\"dev.streamtree.retrain.RetrainJobMain\"", "\"run\"");
        List<LoggedRequest> polls = stub.requests("DescribeStep");
        assertThat(polls).hasSize(4);
        JsonNode poll = Json.mapper().readTree(polls.get(0).getBodyAsString());
        assertThat(poll.path("ClusterId").asText()).isEqualTo("j-3UP1CLUSTER");
        assertThat(poll.path("StepId").asText()).isEqualTo("s-RETRAIN1");
    }

    @Test
    void retrainWaitReportsAFailedStepWithEmrsReason() {
        stub.answer("AddJobFlowSteps", "{\"StepIds\":[\"s-RETRAIN2\"]}");
        stub.stepStates("s-RETRAIN2", "{\"State\":\"RUNNING\"}", "{\"State\":\"FAILED\",\"FailureDetails\":{"
                + "\"Reason\":\"Unknown Error.\",\"Message\":\"Exception in thread main\","
                + "\"LogFile\":\"s3://example-streamtree-bucket/streamtree/emr-logs/j-3UP1CLUSTER/steps/s-RETRAIN2/stderr.gz\"}}");

        String stepId = deployer.addRetrainStep(config, "j-3UP1CLUSTER");
        StepOutcome outcome = deployer.awaitStep("j-3UP1CLUSTER", stepId, Duration.ofSeconds(30), Duration.ofMillis(20));

        assertThat(outcome.completed()).isFalse();
        assertThat(outcome.state()).isEqualTo("FAILED");
        assertThat(outcome.detail()).isEqualTo("step FAILED: Unknown Error. (Exception in thread main); log "
                + "s3://example-streamtree-bucket/streamtree/emr-logs/j-3UP1CLUSTER/steps/s-RETRAIN2/stderr.gz");
    }

    @Test
    void retrainWaitGivesUpAfterTheOverriddenTimeout() {
        stub.stepStates("s-SLOW", "{\"State\":\"RUNNING\"}");

        long started = System.nanoTime();
        StepOutcome outcome = deployer.awaitStep("j-3UP1CLUSTER", "s-SLOW", Duration.ofMillis(400), Duration.ofMillis(50));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(outcome.state()).isEqualTo("RUNNING");
        assertThat(outcome.detail()).isEqualTo("still RUNNING after waiting PT0.4S");
        assertThat(took).isLessThan(Duration.ofSeconds(10));
        assertThat(stub.requests("DescribeStep").size()).isGreaterThan(2);
    }

    @Test
    void downTerminatesTheCluster() throws Exception {
        stub.answer("TerminateJobFlows", "{}");

        deployer.down("j-3UP1CLUSTER");

        JsonNode body = Json.mapper().readTree(stub.requests("TerminateJobFlows").get(0).getBodyAsString());
        assertThat(body).isEqualTo(Json.mapper().readTree("{\"JobFlowIds\":[\"j-3UP1CLUSTER\"]}"));
    }
}
