package dev.streamtree.ingest;

import dev.streamtree.ingest.cli.GenerateCommand;
import dev.streamtree.ingest.cli.SendCommand;
import dev.streamtree.ingest.cli.TailCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ingest send | generate | tail}: parses the command line and runs the chosen command. */
@Command(name = "ingest", mixinStandardHelpOptions = true, version = "streamtree ingest 0.1.0",
        description = "Produce validated events to Kafka and read topics back.",
        subcommands = {SendCommand.class, GenerateCommand.class, TailCommand.class})
public final class IngestMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also mounted by the launcher as its {@code ingest} subcommand. */
    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new IngestMain()));
    }
}
