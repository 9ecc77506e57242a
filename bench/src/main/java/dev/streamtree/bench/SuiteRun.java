package dev.streamtree.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.bench.parts.AdaptationPart;
import dev.streamtree.bench.parts.BenchContext;
import dev.streamtree.bench.parts.LatencyPart;
import dev.streamtree.bench.parts.RealTimePart;
import dev.streamtree.bench.parts.SwapPart;
import dev.streamtree.bench.parts.ThroughputPart;
import dev.streamtree.bench.parts.LakePart;
import dev.streamtree.bench.parts.TrainingPart;
import dev.streamtree.bench.report.Machine;
import dev.streamtree.bench.report.Measurement;
import dev.streamtree.bench.report.ResultTable;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the chosen parts in one process (one broker, one SparkSession), samples the load average while they run,
 * prints one table and writes it, the machine, the load and per-stage profiles to the JSON file.
 * A part that fails is reported as a MISS row with its message; the others still run.
 */
final class SuiteRun {

    private SuiteRun() {
    }

    static int run(List<Part> parts, BenchOptions options) throws IOException {
        BenchSizes sizes = options.sizes();
        Instant started = Instant.now();
        List<double[]> loads = new ArrayList<>();
        loads.add(Machine.loadAverage());
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bench-load-sampler");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> {
            synchronized (loads) {
                loads.add(Machine.loadAverage());
            }
        }, 5, 5, TimeUnit.SECONDS);
        List<Measurement> rows = new ArrayList<>();
        Map<String, Map<String, Double>> profiles;
        Map<String, String> notes;
        try (BenchContext ctx = new BenchContext(sizes)) {
            for (Part part : parts) {
                System.out.println("bench: running " + part.name().toLowerCase() + " ...");
                try {
                    switch (part) {
                        case THROUGHPUT -> rows.addAll(ThroughputPart.run(ctx));
                        case LATENCY -> {
                            for (int rate : sizes.rates()) {
                                rows.addAll(LatencyPart.run(ctx, rate));
                            }
                        }
                        case SWAP -> rows.addAll(SwapPart.run(ctx));
                        case REALTIME -> {
                            for (int rate : sizes.rates()) {
                                rows.addAll(LatencyPart.run(ctx, rate));
                                rows.addAll(RealTimePart.run(ctx, rate));
                            }
                            rows.addAll(SwapPart.runRealTime(ctx));
                        }
                        case TRAINING -> rows.addAll(TrainingPart.run(ctx));
                        case LAKE -> rows.addAll(LakePart.run(ctx));
                        case ADAPTATION -> rows.addAll(AdaptationPart.run(ctx, options.adaptation()));
                    }
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                    }
                    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
                    message = message.length() > 100 ? message.substring(0, 97) + "..." : message;
                    System.err.println("bench: " + part.name().toLowerCase() + " failed: " + message);
                    rows.add(Measurement.checked(part.name().toLowerCase(), "FAILED: " + message, Double.NaN, "", "", "completes", false));
                }
            }
            profiles = ctx.profiles();
            notes = ctx.notes();
        } finally {
            sampler.shutdownNow();
        }
        double[] end = Machine.loadAverage();
        List<double[]> samples;
        synchronized (loads) {
            loads.add(end);
            samples = List.copyOf(loads);
        }
        ObjectNode json = report(options, sizes, started, rows, profiles, samples);
        if (parts.contains(Part.ADAPTATION)) {
            AdaptationPart.Settings adaptation = options.adaptation();
            ObjectNode adaptationSettings = (ObjectNode) json.get("settings");
            adaptationSettings.put("adaptation_events", adaptation.events());
            adaptationSettings.put("adaptation_rate", adaptation.rate());
            var variants = adaptationSettings.putArray("adaptation_variants");
            adaptation.variants().forEach(v -> variants.add(v.name().toLowerCase()));
        }
        if (!notes.isEmpty()) {
            json.set("notes", Json.mapper().valueToTree(notes));
        }
        print(rows, profiles, json);
        Path out = options.out;
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
        System.out.println("bench: wrote " + out);
        return rows.stream().anyMatch(m -> m.metric().startsWith("FAILED")) ? 1 : 0;
    }

    private static ObjectNode report(BenchOptions options, BenchSizes sizes, Instant started, List<Measurement> rows,
                                     Map<String, Map<String, Double>> profiles, List<double[]> loads) {
        ObjectNode json = Json.mapper().createObjectNode();
        json.put("started_at", started.toString());
        json.put("finished_at", Instant.now().toString());
        json.put("quick", options.quick);
        ObjectNode machine = Machine.describe();
        int cores = machine.get("cores").asInt();
        double mean = loads.stream().mapToDouble(l -> l[0]).average().orElse(Double.NaN);
        double max = loads.stream().mapToDouble(l -> l[0]).max().orElse(Double.NaN);
        ObjectNode load = machine.putObject("load_average_1m");
        load.put("at_start", loads.get(0)[0]);
        load.put("at_end", loads.get(loads.size() - 1)[0]);
        load.put("mean", Math.round(mean * 100) / 100.0);
        load.put("max", max);
        load.put("samples", loads.size());
        machine.put("loaded", Machine.loaded(mean, cores));
        json.set("machine", machine);
        ObjectNode settings = json.putObject("settings");
        settings.put("events", sizes.events());
        settings.put("partitions", sizes.partitions());
        settings.put("throughput_trigger_ms", sizes.throughputTrigger().toMillis());
        settings.put("max_offsets_per_trigger", sizes.maxOffsets());
        settings.put("throughput_repeats", sizes.repeats());
        settings.put("throughput_warm_up_runs", sizes.warmUpRuns());
        settings.put("latency_trigger_ms", sizes.latencyTrigger().toMillis());
        settings.put("realtime_lake_trigger_ms", sizes.realTimeLakeTrigger().toMillis());
        sizes.rates().forEach(settings.putArray("rates")::add);
        settings.put("latency_seconds", sizes.latencySeconds());
        settings.put("warmup_seconds", sizes.warmupSeconds());
        settings.put("swaps", sizes.swaps());
        settings.put("swap_rate", sizes.swapRate());
        settings.put("swap_trigger_ms", sizes.swapTrigger().toMillis());
        settings.put("training_rows", sizes.trainingRows());
        settings.put("depth", sizes.depth());
        settings.put("max_bins", sizes.maxBins());
        json.set("results", ResultTable.json(rows));
        json.set("stage_ms_per_batch", Json.mapper().valueToTree(profiles));
        return json;
    }

    private static void print(List<Measurement> rows, Map<String, Map<String, Double>> profiles, ObjectNode json) {
        ObjectNode machine = (ObjectNode) json.get("machine");
        System.out.println();
        System.out.println(ResultTable.render(rows));
        System.out.printf("machine: %d cores, %s GiB, %s; load average (1 min) start %s, mean %s, max %s%s%n",
                machine.get("cores").asInt(), machine.get("memory_gib").asText(), machine.get("java").asText(),
                machine.get("load_average_1m").get("at_start").asText(), machine.get("load_average_1m").get("mean").asText(),
                machine.get("load_average_1m").get("max").asText(),
                machine.get("loaded").asBoolean() ? " -- LOADED: other work competed for the cores, figures are pessimistic" : "");
        profiles.forEach((part, stages) -> System.out.println("stages (mean ms per batch) " + part + ": " + stages));
    }
}
