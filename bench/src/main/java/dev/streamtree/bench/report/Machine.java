package dev.streamtree.bench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.streamtree.common.json.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The machine a run measured: cores, memory, JVM, and the load average (other work competing for the cores). */
public final class Machine {

    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private Machine() {
    }

    /** Load averages over 1, 5 and 15 minutes, or the JVM's 1-minute figure where /proc is missing. */
    public static double[] loadAverage() {
        try {
            return parseLoadAverage(Files.readString(LOADAVG));
        } catch (IOException | RuntimeException e) {
            double one = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return new double[] {one, Double.NaN, Double.NaN};
        }
    }

    static double[] parseLoadAverage(String text) {
        String[] parts = text.trim().split("\\s+");
        return new double[] {Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
    }

    /** Whether the 1-minute load exceeded the core count, i.e. the figures are pessimistic. */
    public static boolean loaded(double oneMinuteLoad, int cores) {
        return oneMinuteLoad > cores;
    }

    public static ObjectNode describe() {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("cores", Runtime.getRuntime().availableProcessors());
        node.put("memory_gib", memoryGib());
        node.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        node.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        node.put("max_heap_gib", Math.round(Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024) * 10) / 10.0);
        return node;
    }

    private static double memoryGib() {
        try {
            List<String> lines = Files.readAllLines(MEMINFO);
            for (String line : lines) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return Math.round(kib / (1024.0 * 1024) * 10) / 10.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: unknown
        }
        return Double.NaN;
    }

    public static String formatLoad(double[] load) {
        return String.format(Locale.ROOT, "%.2f %.2f %.2f", load[0], load[1], load[2]);
    }
}
