package dev.streamtree.ingest.cli;

import dev.streamtree.common.event.EventValidator;
import dev.streamtree.common.schema.EventSchema;
import dev.streamtree.common.schema.LabelSpec;
import dev.streamtree.common.schema.SchemaCodec;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.ingest.send.EventSender;
import dev.streamtree.ingest.send.ProducerSettings;
import dev.streamtree.ingest.send.Rejection;
import dev.streamtree.ingest.send.SendProgress;
import dev.streamtree.ingest.send.SendReport;
import dev.streamtree.ingest.source.CsvRecords;
import dev.streamtree.ingest.source.InputFormat;
import dev.streamtree.ingest.source.JsonLines;
import dev.streamtree.ingest.source.SourceRecord;
import org.apache.kafka.clients.producer.Producer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Validate records from files (JSONL or CSV) or stdin and produce the valid ones to the events topic.",
                "With --labels: label records (JSONL {\"event_id\",\"label\",\"labelled_at\"}), checked against the schema's classes, to the labels topic.",
                "Exit code: 0 all sent; 2 some records rejected or refused by the broker (each listed on stderr); 1 error."})
public final class SendCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka;

    @Option(names = "--schema", defaultValue = "builtin:agrawal", paramLabel = "FILE|builtin:NAME",
            description = "Event schema (default: ${DEFAULT-VALUE}).")
    String schema;

    @Option(names = "--topic", description = "Target topic (default: " + Topics.DEFAULT_EVENTS + ", with --labels "
            + Topics.DEFAULT_LABELS + ").")
    String topic;

    @Option(names = "--labels", description = "The input is label records, not events: each line one JSON object "
            + "{\"event_id\",\"label\",\"labelled_at\"} whose label is one of the schema's classes; sent keyed by event id.")
    boolean labels;

    @Option(names = "--format", paramLabel = "jsonl|csv",
            description = "Input format; default: by file extension (.csv is CSV, anything else JSONL; stdin is JSONL).")
    InputFormat format;

    @Option(names = "--rejects", paramLabel = "FILE", description = "Also write every rejection (origin and reason) to this file.")
    Path rejectsFile;

    @Option(names = "--progress-every", defaultValue = "2s", paramLabel = "DURATION",
            converter = DurationConverter.class, description = "Progress line interval on stderr (default: ${DEFAULT-VALUE}).")
    Duration progressEvery;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "Input files; none or '-' reads stdin.")
    List<String> files = new ArrayList<>();

    private final InputStream stdin;
    private final PrintStream out;
    private final PrintStream err;

    public SendCommand() {
        this(System.in, System.out, System.err);
    }

    SendCommand(InputStream stdin, PrintStream out, PrintStream err) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        EventSchema eventSchema = SchemaCodec.load(schema);
        for (String file : files) {
            if (!file.equals("-") && !Files.isReadable(Path.of(file))) {
                throw new IllegalArgumentException("input file '" + file + "' does not exist or is not readable");
            }
        }
        List<String> inputs = files.isEmpty() ? List.of("-") : files;
        String target = topic != null ? topic : labels ? Topics.DEFAULT_LABELS : Topics.DEFAULT_EVENTS;
        if (labels && format == InputFormat.CSV) {
            throw new IllegalArgumentException("--labels reads JSONL label records; --format csv is for events");
        }
        LabelSpec classes = labels ? eventSchema.labelSpec().orElseThrow(() -> new IllegalArgumentException(
                "--labels needs a schema with a label; schema '" + eventSchema.name() + "' has none")) : null;
        EventValidator validator = new EventValidator(eventSchema);
        SendProgress progress = new SendProgress();
        try (PrintStream rejects = rejectsFile == null ? null
                     : new PrintStream(Files.newOutputStream(rejectsFile), true, StandardCharsets.UTF_8);
             Producer<String, byte[]> producer = ProducerSettings.create(kafka.settings());
             ProgressPrinter ignored = new ProgressPrinter(progress, err, progressEvery)) {
            ProducerSettings.requireTopic(kafka.settings(), producer, target);
            EventSender sender = labels
                    ? EventSender.forLabels(producer, classes, target, rejection -> report(rejection, rejects))
                    : new EventSender(producer, validator, target, rejection -> report(rejection, rejects));
            Iterator<SourceRecord> records = concat(inputs, eventSchema);
            SendReport report = sender.send(records, progress);
            out.println("[ingest] " + report.summary() + " -> topic " + target);
            return report.complete() ? 0 : 2;
        }
    }

    private synchronized void report(Rejection rejection, PrintStream rejects) {
        err.println("[ingest] rejected " + rejection);
        if (rejects != null) {
            rejects.println(rejection);
        }
    }

    private Iterator<SourceRecord> concat(List<String> inputs, EventSchema eventSchema) {
        return new Iterator<>() {
            private int index;
            private Iterator<SourceRecord> current = open(inputs.get(0));

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && ++index < inputs.size()) {
                    current = open(inputs.get(index));
                }
                return current.hasNext();
            }

            @Override
            public SourceRecord next() {
                hasNext();
                return current.next();
            }

            private Iterator<SourceRecord> open(String input) {
                try {
                    boolean isStdin = input.equals("-");
                    InputStream in = isStdin ? stdin : Files.newInputStream(Path.of(input));
                    String name = isStdin ? "stdin" : input;
                    InputFormat chosen = format != null ? format
                            : isStdin || labels ? InputFormat.JSONL : InputFormat.forFileName(input);
                    if (chosen == InputFormat.CSV) {
                        return new CsvRecords(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), name, eventSchema);
                    }
                    return new JsonLines(in, name);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot open input '" + input + "': " + e.getMessage(), e);
                }
            }
        };
    }
}
