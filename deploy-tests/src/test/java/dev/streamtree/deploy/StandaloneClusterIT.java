package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real distributed run: {@code scripts/standalone-cluster-test.sh} starts an embedded Kafka broker, a Spark
 * standalone master and two workers as separate JVMs on 127.0.0.1, submits the shaded streaming job to them with
 * spark-submit, promotes a model with the shaded retrain job submitted to the same cluster, and SIGKILLs worker 2 and
 * its executor in the middle of the first scored batch. Needs the artifacts of {@code package} (launcher/target/lib and
 * jvm.options, the streaming and retrain -all jars), which the reactor builds before this module; bash, setsid and
 * python3; Linux. Takes about 3 to 5 minutes and most of a 2-core machine.
 *
 * <p>The script checks its own figures and exits non-zero on a wrong one; this test checks them again from the
 * script's {@code result:} line, so a wrong outcome fails it even if the script's exit code were wrong.
 */
class StandaloneClusterIT {

    private static final int EVENTS_BEFORE = 3000;
    private static final int EVENTS_AFTER = 2000;
    /** System property overriding the 15-minute limit (an ISO-8601 duration such as PT20M). */
    static final String TIMEOUT_PROPERTY = "standalone.cluster.timeout";
    private static final Duration TIMEOUT = Duration.parse(System.getProperty(TIMEOUT_PROPERTY, "PT15M"));
    private static final String PREFIX = "[standalone-cluster] ";

    @Test
    void everyEventLandsInTheLakeOnceAndEveryLaterEventIsScoredOnATwoWorkerClusterThatLosesAWorker() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "scripts/standalone-cluster-test.sh")
                .directory(RepoFiles.ROOT.toFile())
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("EVENTS_BEFORE", Integer.toString(EVENTS_BEFORE));
        env.put("EVENTS_AFTER", Integer.toString(EVENTS_AFTER));
        env.put("KILL_WORKER", "1");
        env.remove("KEEP_WORK");
        env.remove("JVM_OPTS");

        List<String> output = Collections.synchronizedList(new ArrayList<>());
        int exitCode;
        try (ProcessGroup group = ProcessGroup.start(builder)) {
            Thread pump = new Thread(() -> pump(group.process().getInputStream(), output), "standalone-cluster-output");
            pump.setDaemon(true);
            pump.start();
            if (!group.process().waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                int killed = group.kill(Duration.ofSeconds(20));
                pump.join(10_000);
                fail("scripts/standalone-cluster-test.sh did not finish in " + TIMEOUT + "; killed its process group "
                        + group.id() + " (" + killed + " processes signalled)\n" + tail(output));
            }
            exitCode = group.process().exitValue();
            pump.join(30_000);
            List<ProcessHandle> leftovers = group.awaitEmpty(Duration.ofSeconds(30));
            assertThat(ProcessGroup.describe(leftovers)).as("processes the script left running").isEmpty();
        }

        assertThat(exitCode).as("exit code of scripts/standalone-cluster-test.sh\n" + tail(output)).isZero();
        assertThat(output).as("the script's verdict").anyMatch(line -> line.contains("standalone cluster test: PASSED"));

        Map<String, String> result = result(output);
        int produced = EVENTS_BEFORE + EVENTS_AFTER;
        assertThat(number(result, "produced")).as("events the ingest CLI sent").isEqualTo(produced);
        assertThat(number(result, "lake_rows")).as("rows in the lake").isEqualTo(produced);
        assertThat(number(result, "lake_distinct_ids")).as("distinct event ids in the lake").isEqualTo(produced);
        assertThat(number(result, "lake_rows") - number(result, "lake_distinct_ids")).as("duplicate lake rows").isZero();
        assertThat(number(result, "scored_events")).as("distinct events with a prediction").isEqualTo(EVENTS_AFTER);
        assertThat(number(result, "scored_triples")).as("distinct (event, model version, batch) predictions")
                .isEqualTo(EVENTS_AFTER);
        assertThat(number(result, "prediction_records")).as("prediction records (at least once)")
                .isGreaterThanOrEqualTo(EVENTS_AFTER);
        assertThat(result.get("promoted")).as("version the retrain job promoted").matches("v\\d{6}");
        assertThat(result.get("versions")).as("model versions named by the predictions").isEqualTo(result.get("promoted"));
        assertThat(number(result, "worker_killed")).as("worker 2 killed").isEqualTo(1);
        assertThat(number(result, "executors_lost")).as("executors the streaming job lost").isGreaterThanOrEqualTo(1);
        assertThat(number(result, "retried_tasks")).as("task attempts re-run after the kill (it hit a running task)")
                .isGreaterThanOrEqualTo(1);
    }

    private static void pump(InputStream stream, List<String> output) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                output.add(line);
                System.out.println(PREFIX + line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key=value pairs of the script's "result:" line. */
    private static Map<String, String> result(List<String> output) {
        String line;
        synchronized (output) {
            line = output.stream().filter(l -> l.startsWith("result: ")).reduce((first, second) -> second)
                    .orElseThrow(() -> new AssertionError("no 'result:' line in the script's output\n" + tail(output)));
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (String pair : line.substring("result: ".length()).trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            assertThat(eq).as("key=value in '" + line + "'").isPositive();
            result.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return result;
    }

    private static long number(Map<String, String> result, String key) {
        assertThat(result).as("result figures").containsKey(key);
        assertThat(result.get(key)).as(key).matches("-?\\d+");
        return Long.parseLong(result.get(key));
    }

    private static String tail(List<String> output) {
        synchronized (output) {
            return "last output:\n" + String.join("\n", output.subList(Math.max(0, output.size() - 60), output.size()));
        }
    }
}
