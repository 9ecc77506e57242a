package dev.streamtree.ingest.cli;

import dev.streamtree.common.config.Durations;
import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.generate.AgrawalGenerator;
import dev.streamtree.ingest.generate.DriftPlan;
import dev.streamtree.ingest.generate.GeneratedRecords;
import dev.streamtree.ingest.generate.RatePacer;
import dev.streamtree.ingest.send.DelayedLabels;
import dev.streamtree.ingest.send.EventSender;
import dev.streamtree.ingest.send.ProducerSettings;
import dev.streamtree.ingest.send.SendProgress;
import dev.streamtree.ingest.send.SendReport;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Produce the Agrawal loan-application stream (labels included, or sent later with --label-delay) at a steady rate, with an optional concept drift.",
                "Deterministic by seed (ids, features, labels); event times are the wall clock. Runs until --count or --duration, or Ctrl-C."})
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--topic", defaultValue = Topics.DEFAULT_EVENTS, description = "Target topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--rate", defaultValue = "1000", description = "Records per second; 0 = as fast as possible (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--count", defaultValue = "0", description = "Stop after this many records; 0 = no limit (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Stop after this long, e.g. 30s, 5m.")
    Duration duration;

    @Option(names = "--seed", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--function", defaultValue = "1", description = "Agrawal classification function 1..10 (default: ${DEFAULT-VALUE}).")
    int function;

    @Option(names = "--drift-to", defaultValue = "0", paramLabel = "FUNCTION",
            description = "Switch to this function part-way (the concept drift); needs --drift-at-record or --drift-after.")
    int driftTo;

    @Option(names = "--drift-at-record", defaultValue = "-1", paramLabel = "N", description = "Drift at this record index.")
    long driftAtRecord;

    @Option(names = "--drift-after", converter = DurationConverter.class, paramLabel = "DURATION", description = "Drift after this long.")
    Duration driftAfter;

    @Option(names = "--perturbation", defaultValue = "0.05",
            description = "Noise on numeric attributes, as a fraction of their range (default: ${DEFAULT-VALUE}).")
    double perturbation;

    @Option(names = "--id-prefix", paramLabel = "PREFIX", description = "Event id prefix (default: agr-<seed>).")
    String idPrefix;

    @Option(names = "--label-delay", converter = DurationConverter.class, paramLabel = "DURATION",
            description = "Withhold each label from its event and send it to the labels topic this much later "
                    + "(a label record keyed by event id), e.g. 10s; default: labels inline in the events.")
    Duration labelDelay;

    @Option(names = "--labels-topic", defaultValue = Topics.DEFAULT_LABELS,
            description = "Labels topic for --label-delay (default: ${DEFAULT-VALUE}).")
    String labelsTopic;

    @Option(names = "--progress-every", defaultValue = "2s", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Progress line interval on stderr (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    private static final Duration WARM_UP = Duration.ofSeconds(2);

    private final PrintStream out;
    private final PrintStream err;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public GenerateCommand() {
        this(System.out, System.err);
    }

    GenerateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Asks a running generate to finish after the current record (the launcher's demo uses it). */
    public void stop() {
        stopped.set(true);
    }

    /**
     * Runs the generate-and-validate path on throwaway records so the JIT has compiled it before the paced send
     * starts; otherwise the first seconds fall well short of the rate while the code runs interpreted.
     */
    private static void warmUp(EventValidator validator) {
        AgrawalGenerator scratch = new AgrawalGenerator(-1, DriftPlan.none(1), 0.05, "warm-up", Clock.systemUTC());
        long deadline = System.nanoTime() + WARM_UP.toNanos();
        for (int i = 0; i < 50_000 && System.nanoTime() < deadline; i++) {
            validator.validate(null, scratch.next().json());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        DriftPlan plan = new DriftPlan(function, driftTo, driftAtRecord, driftAfter);
        if (count < 0) {
            throw new IllegalArgumentException("--count must be >= 0, got " + count);
        }
        AgrawalGenerator generator = new AgrawalGenerator(seed, plan, perturbation,
                idPrefix != null ? idPrefix : "agr-" + seed, Clock.systemUTC());
        EventValidator validator = new EventValidator(SchemaCodec.load("builtin:agrawal"));
        SendProgress progress = new SendProgress();
        Thread hook = new Thread(this::stop, "generate-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (Producer<String, byte[]> producer = ProducerSettings.create(kafka.settings());
             ProgressPrinter ignored = new ProgressPrinter(progress, err, progressEvery)) {
            ProducerSettings.requireTopic(kafka.settings(), producer, topic);
            if (labelDelay != null) {
                ProducerSettings.requireTopic(kafka.settings(), producer, labelsTopic);
            }
            warmUp(validator);
            EventSender sender = new EventSender(producer, validator, topic, r -> err.println("[ingest] rejected " + r));
            SendReport report;
            if (labelDelay == null) {
                report = sender.send(new GeneratedRecords(generator, new RatePacer(rate), count, duration,
                        stopped::get, e -> { }), progress);
            } else {
                DelayedLabels labels = new DelayedLabels(producer, labelsTopic, labelDelay, Clock.systemUTC());
                try {
                    report = sender.send(new GeneratedRecords(generator, new RatePacer(rate), count, duration,
                            stopped::get, e -> labels.schedule(e.id(), e.label()), GeneratedRecords.Labels.WITHHELD), progress);
                    err.println("[ingest] sending the last labels (" + Durations.format(labelDelay) + " after their events) ...");
                } finally {
                    labels.close();
                }
                out.println("[ingest] labels: " + labels.sent() + " sent " + Durations.format(labelDelay)
                        + " after their events -> topic " + labelsTopic + (labels.failed() == 0 ? "" : ", " + labels.failed() + " failed"));
                if (labels.failed() > 0) {
                    out.println("[ingest] generated " + report.summary() + " -> topic " + topic);
                    return 2;
                }
            }
            out.println("[ingest] generated " + report.summary() + " -> topic " + topic);
            return report.complete() ? 0 : 2;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting through Ctrl-C; the hook has done its job
            }
        }
    }
}
