package dev.streamtree.launcher;

import dev.streamtree.aws.deploy.DeployCommand;
import dev.streamtree.ingest.Cli;
import dev.streamtree.ingest.IngestMain;
import dev.streamtree.launcher.broker.BrokerCommand;
import dev.streamtree.launcher.demo.DemoCommand;
import dev.streamtree.monitor.cli.MonitorCommand;
import dev.streamtree.launcher.lake.LakeCommand;
import dev.streamtree.retrain.RetrainJobMain;
import dev.streamtree.streaming.StreamingCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code bin/streamtree}: one entry point for every piece of the loop on this machine. Each subcommand is the
 * same code the production jobs run; the launcher only supplies local defaults (embedded broker, local Spark,
 * paths under {@code work/}).
 */
@Command(name = "streamtree", mixinStandardHelpOptions = true, version = "streamtree 0.1.0",
        description = "Kafka-fed streaming scoring with periodic decision-tree retraining.",
        subcommands = {DemoCommand.class, BrokerCommand.class})
public final class Launcher {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Launcher());
        commandLine.addSubcommand("ingest", IngestMain.commandLine());
        commandLine.addSubcommand("streaming", new CommandLine(new StreamingCommand()));
        commandLine.addSubcommand("retrain", RetrainJobMain.commandLine());
        // `models ...` is short for `retrain models ...`.
        commandLine.addSubcommand("models", RetrainJobMain.commandLine().getSubcommands().get("models"));
        commandLine.addSubcommand("monitor", new CommandLine(new MonitorCommand()));
        commandLine.addSubcommand("deploy", new CommandLine(new DeployCommand()));
        commandLine.addSubcommand("lake", new CommandLine(new LakeCommand()));
        return Cli.configure(commandLine);
    }
}
