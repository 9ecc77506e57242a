package dev.streamtree.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;
import dev.streamtree.bench.report.Machine;
import dev.streamtree.ingest.IngestMain;
import dev.streamtree.kafka.embedded.EmbeddedKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Does {@code ingest generate --rate R} hold R? Runs the real command against an embedded broker, then reads
 * the topic back and counts records by their producer timestamp (CreateTime), overall and per window.
 */
@Command(name = "generate-rate", mixinStandardHelpOptions = true,
        description = "Measure how closely `ingest generate --rate` holds its rate (goal: within 5%% for 30 s).")
public final class GenerateRateBenchmark implements Callable<Integer> {

    @Option(names = "--rate", defaultValue = "5000", description = "Target records/s (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--seconds", defaultValue = "30", description = "How long to generate (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--window-seconds", defaultValue = "5", description = "Window for the per-window check (default: ${DEFAULT-VALUE}).")
    int windowSeconds;

    @Option(names = "--tolerance", defaultValue = "0.05", description = "Allowed relative deviation (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--out", defaultValue = "bench/results/generate-rate.json",
            description = "JSON result file (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        String topic = "bench.generate";
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, List.of(topic));
            int code = IngestMain.commandLine().execute("generate", "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic", topic, "--rate", String.valueOf(rate), "--duration", seconds + "s", "--progress-every", "5s");
            if (code != 0) {
                throw new IllegalStateException("ingest generate exited with " + code);
            }
            List<Long> timestamps = timestamps(kafka.bootstrapServers(), topic);
            return report(timestamps);
        }
    }

    private int report(List<Long> timestamps) {
        long first = timestamps.stream().mapToLong(Long::longValue).min().orElseThrow();
        long last = timestamps.stream().mapToLong(Long::longValue).max().orElseThrow();
        double span = Math.max(last - first, 1) / 1000.0;
        double overall = timestamps.size() / span;
        int windows = (int) ((last - first) / (windowSeconds * 1000L));
        long[] counts = new long[Math.max(windows, 1)];
        for (long t : timestamps) {
            int w = (int) ((t - first) / (windowSeconds * 1000L));
            if (w < windows) {
                counts[w]++;
            }
        }
        double min = Double.MAX_VALUE;
        double max = 0;
        for (long c : counts) {
            double r = c / (double) windowSeconds;
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        StringBuilder perWindow = new StringBuilder();
        for (long c : counts) {
            perWindow.append(String.format(" %.0f", c / (double) windowSeconds));
        }
        System.out.println("generate-rate: per window (rec/s):" + perWindow);
        boolean overallOk = Math.abs(overall - rate) <= tolerance * rate;
        boolean windowsOk = min >= rate * (1 - tolerance) && max <= rate * (1 + tolerance);
        System.out.printf("generate-rate: target %d rec/s for %d s; %d records over %.2f s = %.1f rec/s (%+.2f%%)%n",
                rate, seconds, timestamps.size(), span, overall, 100.0 * (overall - rate) / rate);
        System.out.printf("generate-rate: %d full %d-s windows, min %.1f rec/s (%+.2f%%), max %.1f rec/s (%+.2f%%)%n",
                windows, windowSeconds, min, 100.0 * (min - rate) / rate, max, 100.0 * (max - rate) / rate);
        System.out.println("generate-rate: " + (overallOk && windowsOk ? "PASS" : "FAIL") + " (tolerance "
                + (tolerance * 100) + "%)");
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("finished_at", Instant.now().toString());
        json.put("target_rate", rate);
        json.put("seconds", seconds);
        json.put("records", timestamps.size());
        json.put("rate", overall);
        json.put("window_seconds", windowSeconds);
        json.put("windows", windows);
        json.put("window_min_rate", min);
        json.put("window_max_rate", max);
        json.put("tolerance", tolerance);
        json.put("pass", overallOk && windowsOk);
        json.put("load_average_1m", Machine.loadAverage()[0]);
        try {
            if (out.toAbsolutePath().getParent() != null) {
                Files.createDirectories(out.toAbsolutePath().getParent());
            }
            Files.writeString(out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
        System.out.println("generate-rate: results in " + out);
        return overallOk && windowsOk ? 0 : 3;
    }

    private static List<Long> timestamps(String bootstrap, String topic) {
        List<Long> out = new ArrayList<>();
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of("bootstrap.servers", bootstrap),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(r.timestamp());
                }
            }
        }
        return out;
    }
}
