package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.JobDefaults;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "models", mixinStandardHelpOptions = true, description = "Inspect and move the model registry's pointer.",
        subcommands = {ModelsCommand.ListCommand.class, ModelsCommand.ShowCommand.class, ModelsCommand.PromoteCommand.class,
                ModelsCommand.RollbackCommand.class, ModelsCommand.PruneCommand.class})
public final class ModelsCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing subcommand: list, show, promote, rollback or prune");
    }


    /** The registry flag every models subcommand takes: the one of {@link JobOptions}, without the other job flags. */
    static final class RegistryOption {
        @Option(names = JobOptions.REGISTRY, defaultValue = JobDefaults.REGISTRY, description = "Model registry location (default: ${DEFAULT-VALUE}).")
        String registry;

        FileSystemModelRegistry open() {
            return FileSystemModelRegistry.open(registry, new Configuration());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Every committed version with its metrics; * marks the current one.")
    static final class ListCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @Override
        public Integer call() {
            FileSystemModelRegistry r = registry.open();
            Optional<VersionId> current = r.current();
            if (r.versions().isEmpty()) {
                System.out.println("no model versions in " + r.location());
                return 0;
            }
            System.out.printf("%-2s %-8s %-20s %-10s %-10s %-8s %s%n", "", "VERSION", "CREATED", "ACCURACY", "F1", "ROWS", "WINDOW");
            for (VersionId v : r.versions()) {
                String mark = current.map(v::equals).orElse(false) ? "*" : "";
                try {
                    ModelMetadata m = r.metadata(v);
                    System.out.printf("%-2s %-8s %-20s %-10s %-10s %-8d %s%n", mark, v, m.createdAt().toString().substring(0, 19),
                            metric(m.metrics(), "accuracy"), metric(m.metrics(), "weighted_f1"), m.trainingRows(), m.trainingWindow());
                } catch (CorruptVersionException e) {
                    System.out.printf("%-2s %-8s CORRUPT: %s%n", mark, v, e.getMessage());
                }
            }
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "A version's metadata, metrics and decision rules.")
    static final class ShowCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @Parameters(paramLabel = "VERSION", description = "e.g. v000003 or 3")
        String version;

        @Override
        public Integer call() {
            FileSystemModelRegistry r = registry.open();
            VersionId v = VersionId.parse(version);
            ModelMetadata m = r.metadata(v);
            boolean serving = r.current().map(v::equals).orElse(false);
            System.out.println("version:        " + v + (serving ? " (current)" : ""));
            System.out.println("location:       " + r.versionLocation(v));
            System.out.println("created:        " + m.createdAt());
            System.out.println("schema:         " + m.schemaFingerprint() + ", features " + m.features() + ", classes " + m.classes());
            System.out.println("window:         " + m.trainingWindow() + ": " + m.trainingRows() + " training rows, " + m.holdoutRows() + " holdout rows");
            System.out.println("class balance:  " + m.classBalance());
            System.out.println("hyperparameters:" + " " + m.hyperparameters());
            System.out.println("metrics:        " + format(m.metrics()));
            System.out.println("champion:       " + (m.championVersion() == null ? "none" : m.championVersion() + " " + format(m.championMetrics())));
            System.out.println("built with:     Spark " + m.sparkVersion() + ", streamtree " + m.streamtreeVersion());
            System.out.println();
            System.out.print(r.versionFile(v, "tree.txt").orElse("(no tree.txt)\n"));
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Make VERSION the serving model (after an integrity check).")
    static final class PromoteCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @Parameters(paramLabel = "VERSION")
        String version;

        @Option(names = "--reason", defaultValue = "manual promotion", description = "Recorded in history.jsonl (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() {
            FileSystemModelRegistry r = registry.open();
            VersionId v = VersionId.parse(version);
            Optional<VersionId> before = r.current();
            r.promote(v, reason);
            System.out.println("current: " + before.map(VersionId::toString).orElse("none") + " -> " + v);
            return 0;
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Move the pointer back to the previously promoted version.")
    static final class RollbackCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @Option(names = "--reason", defaultValue = "manual rollback", description = "Recorded in history.jsonl (default: ${DEFAULT-VALUE}).")
        String reason;

        @Override
        public Integer call() {
            FileSystemModelRegistry r = registry.open();
            Optional<VersionId> before = r.current();
            VersionId now = r.rollback(reason);
            System.out.println("current: " + before.map(VersionId::toString).orElse("none") + " -> " + now);
            for (Promotion p : r.history()) {
                System.out.println("  " + p.at() + " " + p.action() + " " + (p.from() == null ? "none" : p.from()) + " -> " + p.to()
                        + (p.reason().isEmpty() ? "" : " (" + p.reason() + ")"));
            }
            return 0;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Delete the versions never promoted, except the newest --keep-candidates; every promoted version stays.")
    static final class PruneCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @Option(names = "--keep-candidates", defaultValue = "5", description = "Never-promoted versions to keep, newest first (default: ${DEFAULT-VALUE}).")
        int keepCandidates;

        @Override
        public Integer call() {
            FileSystemModelRegistry r = registry.open();
            java.util.List<VersionId> deleted = r.prune(keepCandidates);
            System.out.println("deleted " + deleted.size() + " candidate versions" + (deleted.isEmpty() ? "" : ": " + deleted)
                    + "; " + r.versions().size() + " versions left");
            return 0;
        }
    }

    private static String metric(Map<String, Double> metrics, String name) {
        Double value = metrics.get(name);
        return value == null ? "-" : String.format(java.util.Locale.ROOT, "%.4f", value);
    }

    private static String format(Map<String, Double> metrics) {
        return metrics.isEmpty() ? "{}" : new java.util.TreeMap<>(metrics).entrySet().stream()
                .map(e -> e.getKey() + " " + String.format(java.util.Locale.ROOT, "%.4f", e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
