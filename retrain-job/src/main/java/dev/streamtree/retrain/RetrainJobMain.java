package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.retrain.cli.ModelsCommand;
import dev.streamtree.retrain.cli.RunCommand;
import dev.streamtree.retrain.cli.ScheduleCommand;
import dev.streamtree.retrain.cli.TriggerCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code retrain-job run | schedule | trigger | models}. Exit codes: 0 promoted (or success), 3 champion kept,
 * 1 failed or refused, 2 bad arguments or configuration values, 4 {@code trigger --wait} timed out. A failure
 * prints one line ({@code retrain-job: ...}); set {@code STREAMTREE_DEBUG=1} for its stack trace.
 */
@Command(name = "retrain-job", mixinStandardHelpOptions = true, version = "streamtree retrain-job",
        description = "Retrain the decision tree from the lake, gate it against the champion, manage the model registry.",
        subcommands = {RunCommand.class, ScheduleCommand.class, TriggerCommand.class, ModelsCommand.class})
public final class RetrainJobMain implements Runnable {

    /** Exit code for bad arguments or configuration values (picocli's code for input it cannot convert). */
    public static final int EXIT_BAD_ARGUMENTS = 2;

    private static final Logger LOG = LoggerFactory.getLogger(RetrainJobMain.class);

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: run, schedule, trigger or models");
    }


    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line in-process (the launcher calls this) and returns the exit code. */
    public static int execute(String... args) {
        return commandLine().execute(args);
    }

    /**
     * One line for a failed command (class and message for unexpected exception types); the stack trace goes to
     * stderr only with {@code STREAMTREE_DEBUG=1} (the launcher's switch), otherwise to this class's logger at DEBUG.
     * Exit 2 for a bad argument or configuration value
     * ({@link IllegalArgumentException}, as the configuration records throw), 1 for anything else.
     */
    static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean known = e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof RetrainException || e instanceof RegistryException || e instanceof CatalogException;
        cmd.getErr().println("retrain-job: " + (known ? e.getMessage() : "failed: " + e.getClass().getName() + ": " + e.getMessage()));
        if ("1".equals(System.getenv("STREAMTREE_DEBUG"))) {
            e.printStackTrace(cmd.getErr());
        } else {
            LOG.debug("retrain-job failed", e);
        }
        return e instanceof IllegalArgumentException ? EXIT_BAD_ARGUMENTS : RetrainOutcome.EXIT_FAILED;
    }

    public static CommandLine commandLine() {
        return new CommandLine(new RetrainJobMain())
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("retrain-job: " + e.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the flags.");
                    return cmd.getCommandSpec().exitCodeOnInvalidInput();
                })
                .setExecutionExceptionHandler(RetrainJobMain::report);
    }
}
