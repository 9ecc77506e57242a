package dev.streamtree.bench;

import dev.streamtree.ingest.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bench/run.sh <benchmark>}: each benchmark measures streamtree next to its baseline in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "streamtree benchmarks (run on an otherwise idle machine).",
        subcommands = {SuiteCommands.All.class, SuiteCommands.Throughput.class, SuiteCommands.Latency.class,
                SuiteCommands.Swap.class, SuiteCommands.RealTime.class, SuiteCommands.Training.class, SuiteCommands.Lake.class,
                SuiteCommands.Adaptation.class, GenerateRateBenchmark.class})
public final class BenchMain {

    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new BenchMain())).execute(args));
    }
}
