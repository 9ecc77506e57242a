package dev.streamtree.retrain;

import dev.streamtree.common.catalog.CatalogException;
import dev.streamtree.common.registry.RegistryException;
import dev.streamtree.retrain.cli.ModelsCommand;
import dev.streamtree.retrain.cli.RunCommand;
import dev.streamtree.retrain.cli.ScheduleCommand;
import dev.streamtree.retrain.cli.TriggerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code retrain-job run | schedule | trigger | models}. Exit codes: 0 promoted (or success), 3 champion kept,
 * 1 failed or refused, 2 bad arguments, 4 {@code trigger --wait} timed out.
 */
@Command(name = "retrain-job", mixinStandardHelpOptions = true, version = "streamtree retrain-job",
        description = "Retrain the decision tree from the lake, gate it against the champion, manage the model registry.",
        subcommands = {RunCommand.class, ScheduleCommand.class, TriggerCommand.class, ModelsCommand.class})
public final class RetrainJobMain implements Runnable {

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

    public static CommandLine commandLine() {
        return new CommandLine(new RetrainJobMain())
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("retrain-job: " + e.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for the flags.");
                    return cmd.getCommandSpec().exitCodeOnInvalidInput();
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof RetrainException
                            || e instanceof RegistryException || e instanceof CatalogException) {
                        cmd.getErr().println("retrain-job: " + e.getMessage());
                    } else {
                        cmd.getErr().println("retrain-job: failed: " + e);
                        e.printStackTrace(cmd.getErr());
                    }
                    return RetrainOutcome.EXIT_FAILED;
                });
    }
}
