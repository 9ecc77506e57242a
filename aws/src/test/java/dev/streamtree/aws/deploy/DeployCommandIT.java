package dev.streamtree.aws.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtree.aws.emr.EmrDeployConfig;
import dev.streamtree.aws.emr.EmrRequests;
import dev.streamtree.aws.emr.EmrStub;
import dev.streamtree.aws.emr.EmrTestConfigs;
import dev.streamtree.aws.emr.RequestJson;
import dev.streamtree.testing.iam.AwsCallJournal;
import dev.streamtree.common.json.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code deploy emr ...} end to end against a local EMR stub. */
class DeployCommandIT {

    /**
     * Whoever runs {@code deploy emr} makes these EMR calls: after the class, deploy/iam/streamtree-deployer-policy.json
     * must allow each one, on clusters tagged as the example config tags the clusters it creates.
     */
    @RegisterExtension
    static final AwsCallJournal CALLS = AwsCallJournal.checkedAgainst("streamtree-deployer-policy.json",
            EmrDeployConfig.read(EmrTestConfigs.EXAMPLE).cluster().tags());

    private final EmrStub stub = new EmrStub();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @TempDir
    Path dir;

    @BeforeEach
    void recordCalls() {
        CALLS.record(stub.server());
    }

    @AfterEach
    void stop() {
        stub.close();
    }

    private int run(String... args) {
        CommandLine command = DeployCommand.commandLine(config -> stub.client());
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        return command.execute(args);
    }

    private Path config() {
        return EmrTestConfigs.write(dir, json -> json.put("endpointOverride", stub.endpoint()));
    }

    @Test
    void upPrintsOnlyTheClusterId() {
        stub.answer("RunJobFlow", "{\"JobFlowId\":\"j-CLI0UP\"}");

        int exit = run("emr", "up", "--config", config().toString());

        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("j-CLI0UP");
        assertThat(stub.requests("RunJobFlow")).hasSize(1);
    }

    @Test
    void dryRunPrintsTheExactRequestAndSendsNothing() throws Exception {
        Path file = config();

        int exit = run("emr", "up", "--config", file.toString(), "--dry-run");

        assertThat(exit).isZero();
        JsonNode printed = Json.mapper().readTree(out.toString());
        assertThat(printed.path("X-Amz-Target").asText()).isEqualTo("ElasticMapReduce.RunJobFlow");
        assertThat(printed.path("region").asText()).isEqualTo("eu-west-1");
        assertThat(printed.path("body")).isEqualTo(RequestJson.render(EmrRequests.runJobFlow(EmrDeployConfig.read(file))));
        assertThat(stub.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void retrainAndDownDryRunsNameTheirOperations() throws Exception {
        Path file = config();

        assertThat(run("emr", "retrain", "--config", file.toString(), "--cluster-id", "j-CLI0UP", "--wait", "--dry-run")).isZero();
        assertThat(Json.mapper().readTree(out.toString()).path("X-Amz-Target").asText()).isEqualTo("ElasticMapReduce.AddJobFlowSteps");
        out.getBuffer().setLength(0);
        assertThat(run("emr", "down", "--config", file.toString(), "--cluster-id", "j-CLI0UP", "--dry-run")).isZero();
        JsonNode down = Json.mapper().readTree(out.toString());
        assertThat(down.path("X-Amz-Target").asText()).isEqualTo("ElasticMapReduce.TerminateJobFlows");
        assertThat(down.path("body").toString()).isEqualTo("{\"JobFlowIds\":[\"j-CLI0UP\"]}");
        assertThat(stub.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void retrainWaitExitsZeroWhenTheStepCompletes() {
        stub.answer("AddJobFlowSteps", "{\"StepIds\":[\"s-CLI1\"]}");
        stub.stepStates("s-CLI1", "{\"State\":\"RUNNING\"}", "{\"State\":\"COMPLETED\"}");

        int exit = run("emr", "retrain", "--config", config().toString(), "--cluster-id", "j-CLI0UP",
                "--wait", "--poll-interval", "20ms", "--wait-timeout", "1m");

        assertThat(exit).isZero();
        assertThat(out.toString().strip()).isEqualTo("s-CLI1 COMPLETED");
    }

    @Test
    void retrainWaitExitsOneWithTheReasonWhenTheStepFails() {
        stub.answer("AddJobFlowSteps", "{\"StepIds\":[\"s-CLI2\"]}");
        stub.stepStates("s-CLI2", "{\"State\":\"RUNNING\"}",
                "{\"State\":\"FAILED\",\"FailureDetails\":{\"Reason\":\"Step failed with exitCode 1.\"}}");

        int exit = run("emr", "retrain", "--config", config().toString(), "--cluster-id", "j-CLI0UP",
                "--wait", "--poll-interval", "20ms");

        assertThat(exit).isEqualTo(DeployCommand.EXIT_FAILED);
        assertThat(out.toString().strip()).isEqualTo("s-CLI2 FAILED");
        assertThat(err.toString().strip()).isEqualTo("deploy: retrain step s-CLI2 step FAILED: Step failed with exitCode 1.");
    }

    @Test
    void badConfigIsOneLineAndExitTwo() {
        Path file = EmrTestConfigs.write(dir, json -> json.put("region", "moon-base"));

        int exit = run("emr", "up", "--config", file.toString());

        assertThat(exit).isEqualTo(DeployCommand.EXIT_BAD_CONFIG);
        assertThat(err.toString().strip()).isEqualTo("deploy: EMR config file '" + file
                + "': region 'moon-base' is not an AWS region name such as eu-west-1");
        assertThat(stub.server().getAllServeEvents()).isEmpty();
    }

    @Test
    void awsErrorsAreOneLineAndExitOne() {
        stub.server().stubFor(com.github.tomakehurst.wiremock.client.WireMock.post("/")
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(400)
                        .withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"__type\":\"ValidationException\",\"message\":\"Invalid InstanceProfile: nope.\"}")));

        int exit = run("emr", "up", "--config", config().toString());

        assertThat(exit).isEqualTo(DeployCommand.EXIT_FAILED);
        assertThat(err.toString()).startsWith("deploy: AWS request failed: Invalid InstanceProfile: nope.")
                .doesNotContain("\tat ");
    }

    @Test
    void badDurationIsAUsageError() {
        int exit = run("emr", "retrain", "--config", config().toString(), "--cluster-id", "j-CLI0UP", "--wait-timeout", "soon");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString()).contains("'soon' is not a duration such as 30s, 15m or 2h");
    }
}
