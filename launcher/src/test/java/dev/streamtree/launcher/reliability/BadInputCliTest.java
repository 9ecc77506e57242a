package dev.streamtree.launcher.reliability;

import dev.streamtree.aws.deploy.DeployCommand;
import dev.streamtree.aws.deploy.EmrClientFactory;
import dev.streamtree.ingest.IngestMain;
import dev.streamtree.launcher.Launcher;
import dev.streamtree.retrain.RetrainJobMain;
import dev.streamtree.streaming.StreamingCommand;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Every command line, given a bad value, exits 2 (bad arguments, as picocli does for values it cannot convert; 1 is
 * kept for failures at run time) with a message naming that value and no stack trace. Each
 * case runs twice: through {@code bin/streamtree} ({@link Launcher#commandLine()}) and through the command's own
 * entry point ({@code IngestMain}, {@code StreamingCommand.execute}, {@code RetrainJobMain.execute},
 * {@code DeployCommand}). No case reaches a broker, Spark or AWS: the bad value must be caught first.
 */
class BadInputCliTest {

    @TempDir
    static Path work;

    /** One bad command line: the launcher's words and the text the error must contain. */
    record Case(String tool, List<String> args, String badValue) {
        @Override
        public String toString() {
            return String.join(" ", args);
        }
    }

    static Stream<Arguments> cases() {
        String registry = work.resolve("registry").toString();
        Path input = work.resolve("in.jsonl");
        try {
            java.nio.file.Files.writeString(input, "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        add(cases, "streaming", "localhost:notaport", "--bootstrap-servers", "localhost:notaport");
        add(cases, "streaming", "5parsecs", "--bootstrap-servers", "localhost:9092", "--trigger-interval", "5parsecs");
        add(cases, "streaming", "hive", "--bootstrap-servers", "localhost:9092", "--catalog", "hive");
        add(cases, "streaming", "/no/such/client.properties", "--bootstrap-servers", "localhost:9092",
                "--kafka-properties", "/no/such/client.properties");
        add(cases, "streaming", "middle", "--bootstrap-servers", "localhost:9092", "--starting-offsets", "middle");
        add(cases, "streaming", "-5", "--bootstrap-servers", "localhost:9092", "--max-offsets-per-trigger", "-5");
        add(cases, "streaming", "--bootstrap-servers", "--lake", "work/lake");
        add(cases, "ingest", "fast", "generate", "--bootstrap-servers", "localhost:9092", "--rate", "fast");
        add(cases, "ingest", "10parsecs", "generate", "--bootstrap-servers", "localhost:9092", "--duration", "10parsecs");
        add(cases, "ingest", "bad_server", "generate", "--bootstrap-servers", "bad_server", "--count", "1");
        add(cases, "ingest", "xml", "send", "--bootstrap-servers", "localhost:9092", "--format", "xml", "/no/such/in.jsonl");
        add(cases, "ingest", "/no/such/client.properties", "send", "--bootstrap-servers", "localhost:9092",
                "--kafka-properties", "/no/such/client.properties", input.toString());
        add(cases, "ingest", "never", "tail", "--bootstrap-servers", "localhost:9092", "--idle-timeout", "never");
        add(cases, "retrain", "precision", "run", "--bootstrap-servers", "localhost:9092", "--gate-metric", "precision");
        add(cases, "retrain", "1.5", "run", "--bootstrap-servers", "localhost:9092", "--holdout-fraction", "1.5");
        add(cases, "retrain", "3fortnights", "run", "--bootstrap-servers", "localhost:9092", "--window", "3fortnights");
        add(cases, "retrain", "never", "schedule", "--bootstrap-servers", "localhost:9092", "--every", "never");
        add(cases, "retrain", "localhost:notaport", "trigger", "--bootstrap-servers", "localhost:notaport");
        add(cases, "retrain", "../x", "models", "promote", "../x", "--registry", registry);
        add(cases, "retrain", "../../etc/passwd", "models", "show", "../../etc/passwd", "--registry", registry);
        add(cases, "deploy", "/no/such/emr.json", "emr", "up", "--config", "/no/such/emr.json", "--dry-run");
        add(cases, "deploy", "forever", "emr", "retrain", "--config", "/no/such/emr.json", "--cluster-id", "j-1",
                "--wait-timeout", "forever");
        add(cases, "launcher", "99999", "broker", "--port", "99999");
        add(cases, "launcher", "abc", "broker", "--port", "abc");
        add(cases, "launcher", "frobnicate", "frobnicate");
        return cases.stream().flatMap(c -> Stream.of(Arguments.of("bin/streamtree", c), Arguments.of("own main", c)));
    }

    private static void add(List<Case> cases, String tool, String badValue, String... args) {
        List<String> words = new ArrayList<>();
        if (!tool.equals("launcher")) {
            words.add(tool);
        }
        words.addAll(Arrays.asList(args));
        cases.add(new Case(tool, words, badValue));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void badValueGivesOneMessageNamingItAndExitTwo(String entry, Case badCase) {
        Run run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(entry, badCase));
        assertThat(run.exitCode()).as("exit 2 (bad arguments) from every entry point; " + run.output()).isEqualTo(2);
        assertThat(run.output()).as("message names the bad value").contains(badCase.badValue());
        assertThat(run.output()).as("no stack trace").doesNotContain("\tat ");
    }

    record Run(int exitCode, String output) {
    }

    private static Run run(String entry, Case badCase) {
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        StringWriter written = new StringWriter();
        PrintWriter writer = new PrintWriter(written, true);
        System.setOut(capture);
        System.setErr(capture);
        int code;
        try {
            String[] args = badCase.args().toArray(String[]::new);
            String[] rest = badCase.tool().equals("launcher") ? args : Arrays.copyOfRange(args, 1, args.length);
            if (entry.equals("bin/streamtree")) {
                code = withWriters(Launcher.commandLine(), writer).execute(args);
            } else {
                code = switch (badCase.tool()) {
                    case "streaming" -> StreamingCommand.execute(rest);
                    case "ingest" -> withWriters(IngestMain.commandLine(), writer).execute(rest);
                    case "retrain" -> RetrainJobMain.execute(rest);
                    case "deploy" -> withWriters(DeployCommand.commandLine(EmrClientFactory.defaultChain()), writer).execute(rest);
                    default -> withWriters(Launcher.commandLine(), writer).execute(rest);
                };
            }
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
        String output = captured.toString(StandardCharsets.UTF_8) + written;
        originalOut.println("[" + entry + "] " + badCase + " -> exit " + code + "\n" + output.indent(4));
        return new Run(code, output);
    }

    private static CommandLine withWriters(CommandLine commandLine, PrintWriter writer) {
        return commandLine.setOut(writer).setErr(writer);
    }

}
