package dev.streamtree.aws.deploy;

import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code deploy}: runs the jobs on production clusters. Today one target, {@code emr} (up, retrain, down).
 *
 * <p>The launcher adds this as its {@code deploy} subcommand; {@link #main} runs it alone. Bad configuration and
 * AWS errors are reported as one line by {@link #errorHandler()} (exit 2 and 1), never as a stack trace.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Deploys the streaming and retrain jobs to a production cluster.",
        subcommands = EmrCommand.class)
public final class DeployCommand implements Runnable {

    /** Exit code for a bad config file or bad option value. */
    public static final int EXIT_BAD_CONFIG = 2;
    /** Exit code for an AWS API error, or a retrain step that did not complete. */
    public static final int EXIT_FAILED = 1;

    private final EmrClientFactory clients;

    @Spec
    private CommandSpec spec;

    /** Production: clients with the SDK's default credentials chain. */
    public DeployCommand() {
        this(EmrClientFactory.defaultChain());
    }

    public DeployCommand(EmrClientFactory clients) {
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    EmrClientFactory clients() {
        return clients;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a deploy target: emr");
    }

    /** A command line for this command with {@link #errorHandler()} installed. */
    public static CommandLine commandLine(EmrClientFactory clients) {
        return new CommandLine(new DeployCommand(clients)).setExecutionExceptionHandler(errorHandler());
    }

    /** Prints a failed command's message on one line: exit 2 for bad configuration, 1 for AWS errors. */
    public static CommandLine.IExecutionExceptionHandler errorHandler() {
        return (exception, commandLine, parseResult) -> {
            if (exception instanceof IllegalArgumentException) {
                commandLine.getErr().println("deploy: " + exception.getMessage());
                return EXIT_BAD_CONFIG;
            }
            if (exception instanceof SdkException) {
                commandLine.getErr().println("deploy: AWS request failed: " + exception.getMessage());
                return EXIT_FAILED;
            }
            throw exception;
        };
    }

    public static void main(String[] args) {
        System.exit(commandLine(EmrClientFactory.defaultChain()).execute(args));
    }
}
