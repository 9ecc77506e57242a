package dev.streamtree.aws.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.aws.emr.EmrDeployConfig;
import dev.streamtree.aws.emr.EmrDeployer;
import dev.streamtree.aws.emr.EmrRequests;
import dev.streamtree.aws.emr.RequestJson;
import dev.streamtree.aws.emr.StepOutcome;
import dev.streamtree.common.json.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.emr.EmrClient;

/** {@code deploy emr up|retrain|down}. */
@Command(name = "emr", mixinStandardHelpOptions = true,
        description = "Runs the jobs on an AWS EMR cluster (release emr-spark-8.1.0 by default).",
        subcommands = {EmrCommand.Up.class, EmrCommand.Retrain.class, EmrCommand.Down.class})
final class EmrCommand implements Runnable {

    /** X-Amz-Target prefix of the EMR JSON API. */
    static final String TARGET_PREFIX = "ElasticMapReduce.";

    @ParentCommand
    private DeployCommand deploy;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose one of: up, retrain, down");
    }

    /** Options every emr subcommand takes. */
    static final class ConfigOptions {

        @Option(names = "--config", required = true, paramLabel = "<file>",
                description = "EMR deploy config (JSON; see docs/deploy.md and deploy/emr/streamtree-emr.example.json).")
        Path config;

        @Option(names = "--dry-run",
                description = "Print the requests as JSON and send nothing.")
        boolean dryRun;

        EmrDeployConfig read() {
            return EmrDeployConfig.read(config);
        }
    }

    private static void printRequest(PrintWriter out, EmrDeployConfig config, String operation, SdkPojo request) {
        ObjectNode printed = Json.mapper().createObjectNode();
        printed.put("X-Amz-Target", TARGET_PREFIX + operation);
        printed.put("region", config.region());
        printed.set("body", RequestJson.render(request));
        try {
            out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(printed));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the " + operation + " request", e);
        }
        out.flush();
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Creates a cluster with the streaming job as its first step; prints the cluster id.")
    static final class Up implements Callable<Integer> {

        @ParentCommand
        private EmrCommand emr;

        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        private ConfigOptions options = new ConfigOptions();

        @Override
        public Integer call() {
            EmrDeployConfig config = options.read();
            PrintWriter out = spec.commandLine().getOut();
            if (options.dryRun) {
                printRequest(out, config, "RunJobFlow", EmrRequests.runJobFlow(config));
                return 0;
            }
            try (EmrClient client = emr.deploy.clients().create(config)) {
                out.println(new EmrDeployer(client).up(config));
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "retrain", mixinStandardHelpOptions = true,
            description = "Adds a retrain step to a running cluster; prints the step id, and with --wait its final state.")
    static final class Retrain implements Callable<Integer> {

        @ParentCommand
        private EmrCommand emr;

        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        private ConfigOptions options = new ConfigOptions();

        @Option(names = "--cluster-id", required = true, paramLabel = "<j-...>", description = "The cluster `emr up` printed.")
        String clusterId;

        @Option(names = "--wait", description = "Wait until the step completed, failed or was cancelled; exit 1 unless it completed.")
        boolean await;

        @Option(names = "--wait-timeout", defaultValue = "2h", converter = DurationConverter.class,
                description = "Longest wait with --wait (default: ${DEFAULT-VALUE}).")
        Duration waitTimeout;

        @Option(names = "--poll-interval", defaultValue = "30s", converter = DurationConverter.class,
                description = "Time between DescribeStep polls with --wait (default: ${DEFAULT-VALUE}).")
        Duration pollInterval;

        @Override
        public Integer call() {
            EmrDeployConfig config = options.read();
            PrintWriter out = spec.commandLine().getOut();
            if (options.dryRun) {
                printRequest(out, config, "AddJobFlowSteps", EmrRequests.addRetrainStep(config, clusterId));
                return 0;
            }
            try (EmrClient client = emr.deploy.clients().create(config)) {
                EmrDeployer deployer = new EmrDeployer(client);
                String stepId = deployer.addRetrainStep(config, clusterId);
                if (!await) {
                    out.println(stepId);
                    out.flush();
                    return 0;
                }
                StepOutcome outcome = deployer.awaitStep(clusterId, stepId, waitTimeout, pollInterval);
                out.println(stepId + " " + outcome.state());
                out.flush();
                if (outcome.completed()) {
                    return 0;
                }
                spec.commandLine().getErr().println("deploy: retrain step " + stepId + " " + outcome.detail());
                return DeployCommand.EXIT_FAILED;
            }
        }
    }

    @Command(name = "down", mixinStandardHelpOptions = true,
            description = "Terminates the cluster, streaming job included.")
    static final class Down implements Callable<Integer> {

        @ParentCommand
        private EmrCommand emr;

        @Spec
        private CommandSpec spec;

        @CommandLine.Mixin
        private ConfigOptions options = new ConfigOptions();

        @Option(names = "--cluster-id", required = true, paramLabel = "<j-...>", description = "The cluster to terminate.")
        String clusterId;

        @Override
        public Integer call() {
            EmrDeployConfig config = options.read();
            PrintWriter out = spec.commandLine().getOut();
            if (options.dryRun) {
                printRequest(out, config, "TerminateJobFlows", EmrRequests.terminate(clusterId));
                return 0;
            }
            try (EmrClient client = emr.deploy.clients().create(config)) {
                new EmrDeployer(client).down(clusterId);
            }
            out.println("terminating " + clusterId);
            out.flush();
            return 0;
        }
    }
}
