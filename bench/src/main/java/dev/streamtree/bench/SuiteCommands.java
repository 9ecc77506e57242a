package dev.streamtree.bench;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

/** The suite's subcommands: {@code all} and one per part; each prints the table and writes the JSON. */
final class SuiteCommands {

    private SuiteCommands() {
    }

    abstract static class Suite implements Callable<Integer> {

        @Mixin
        BenchOptions options;

        abstract List<Part> parts();

        @Override
        public Integer call() throws Exception {
            return SuiteRun.run(parts(), options);
        }
    }

    @Command(name = "all", mixinStandardHelpOptions = true,
            description = "Throughput, latency, swap and training, with their baselines, in one run.")
    static final class All extends Suite {
        @Override
        List<Part> parts() {
            // Real-time mode needs more task slots than local[*] gives on small machines, the lake part builds a 30-day
            // lake, and the adaptation part runs its own broker and Spark for minutes: their own commands.
            return Arrays.stream(Part.values())
                    .filter(p -> p != Part.REALTIME && p != Part.LAKE && p != Part.ADAPTATION).toList();
        }
    }

    @Command(name = "lake", mixinStandardHelpOptions = true,
            description = {"A 30-day Iceberg lake built in small appends: files and one-day read time before and after",
                    "compaction, the one-day read as the lake grows (1, 7, 15, 30 days), one day's compaction time; then the",
                    "throughput, latency and swap parts, so the streaming goals are re-measured in the same run."})
    static final class Lake extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.LAKE, Part.THROUGHPUT, Part.LATENCY, Part.SWAP);
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = "Kafka produce/consume, Spark passthrough and the streaming job on the same events.")
    static final class Throughput extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.THROUGHPUT);
        }
    }

    @Command(name = "latency", mixinStandardHelpOptions = true,
            description = "End-to-end latency percentiles of the streaming job at paced rates.")
    static final class Latency extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.LATENCY);
        }
    }

    @Command(name = "swap", mixinStandardHelpOptions = true,
            description = "Model hot swaps under load: gap, lost and duplicated events.")
    static final class Swap extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.SWAP);
        }
    }

    @Command(name = "realtime", mixinStandardHelpOptions = true,
            description = "Real-time mode: latency beside micro-batch and a plain Spark real-time query, and hot swaps; "
                    + "needs partitions + 1 task slots (-Dspark.master=local[4]).")
    static final class RealTime extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.REALTIME);
        }
    }

    @Command(name = "training", mixinStandardHelpOptions = true,
            description = "Retrain fit time and holdout accuracy vs scikit-learn on the same split.")
    static final class Training extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.TRAINING);
        }
    }

    @Command(name = "adaptation", mixinStandardHelpOptions = true,
            description = "The feedback loop on the demo's stream (Agrawal f1 -> f3 at 40%%, 200 events/s, seed 42): "
                    + "prequential accuracy, recovery, detection -> serving, false detections without drift, and the "
                    + "10 s label-delay variant.")
    static final class Adaptation extends Suite {
        @Override
        List<Part> parts() {
            return List.of(Part.ADAPTATION);
        }
    }
}
