package dev.streamtree.retrain.cli;

import dev.streamtree.common.config.JobDefaults;
import dev.streamtree.common.accuracy.ModelMetrics;
import dev.streamtree.common.config.JobOptions;
import dev.streamtree.common.kafka.KafkaSettings;
import dev.streamtree.common.registry.CorruptVersionException;
import dev.streamtree.common.registry.ModelMetadata;
import dev.streamtree.common.registry.Promotion;
import dev.streamtree.common.registry.VersionId;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.model.registry.FileSystemModelRegistry;
import dev.streamtree.monitor.topic.TopicTail;
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

    /**
     * Where {@code models list} reads live figures from: the flags of {@link JobOptions} that name the cluster and the
     * monitor's model-metrics topic, without the other job flags.
     */
    static final class LiveOption {
        @Option(names = JobOptions.BOOTSTRAP_SERVERS, paramLabel = "HOST:PORT[,...]",
                description = "Kafka brokers: show each version's live accuracy from the monitor's model-metrics topic.")
        String bootstrapServers;

        @Option(names = JobOptions.KAFKA_PROPERTIES, paramLabel = "FILE",
                description = "Kafka client properties (security.protocol, sasl.*, ssl.*); ${env:NAME} values are read from the environment.")
        java.nio.file.Path kafkaProperties;

        @Option(names = JobOptions.MODEL_METRICS_TOPIC, defaultValue = Topics.DEFAULT_MODEL_METRICS,
                description = "Live accuracy per model version, from the monitor (default: ${DEFAULT-VALUE}).")
        String modelMetricsTopic;

        /** The latest model-metrics record per version, or empty when no brokers were given. */
        Optional<Map<String, ModelMetrics>> read() {
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(TopicTail.latestModelMetrics(
                    KafkaSettings.withPropertiesFile(bootstrapServers, kafkaProperties), modelMetricsTopic));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {
            "Every committed version with its holdout metrics; * marks the current one.",
            "With --bootstrap-servers, also each version's live accuracy (over the monitor's window and since promotion) "
                    + "from the latest model-metrics record."})
    static final class ListCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        RegistryOption registry;

        @picocli.CommandLine.Mixin
        LiveOption live;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            java.io.PrintWriter out = spec.commandLine().getOut();
            FileSystemModelRegistry r = registry.open();
            Optional<VersionId> current = r.current();
            if (r.versions().isEmpty()) {
                out.println("no model versions in " + r.location());
                out.flush();
                return 0;
            }
            Optional<Map<String, ModelMetrics>> liveFigures = live.read();
            out.printf("%-2s %-8s %-20s %-10s %-10s %-8s %-14s %-22s %s%n", "", "VERSION", "CREATED", "ACCURACY", "F1", "ROWS",
                    "LIVE (WINDOW)", "LIVE (SINCE PROMOTION)", "WINDOW");
            for (VersionId v : r.versions()) {
                String mark = current.map(v::equals).orElse(false) ? "*" : "";
                try {
                    ModelMetadata m = r.metadata(v);
                    ModelMetrics l = liveFigures.map(figures -> figures.get(v.toString())).orElse(null);
                    out.printf("%-2s %-8s %-20s %-10s %-10s %-8d %-14s %-22s %s%n", mark, v, m.createdAt().toString().substring(0, 19),
                            metric(m.metrics(), "accuracy"), metric(m.metrics(), "weighted_f1"), m.trainingRows(),
                            l == null ? "-" : liveRate(l.windowAccuracy(), l.windowLabelled()),
                            l == null ? "-" : liveRate(l.accuracy(), l.labelled()), m.trainingWindow());
                } catch (CorruptVersionException e) {
                    out.printf("%-2s %-8s CORRUPT: %s%n", mark, v, e.getMessage());
                }
            }
            if (liveFigures.isEmpty()) {
                out.println("no live figures (give " + JobOptions.BOOTSTRAP_SERVERS + " to read the monitor's "
                        + live.modelMetricsTopic + ")");
            } else if (liveFigures.get().isEmpty()) {
                out.println("no live figures on " + live.modelMetricsTopic + " yet (is the monitor running, and are labels arriving?)");
            }
            out.flush();
            return 0;
        }

        private static String liveRate(double rate, long labelled) {
            return Double.isNaN(rate) ? "-" : String.format(java.util.Locale.ROOT, "%.4f/%d", rate, labelled);
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
