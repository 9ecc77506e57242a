package dev.streamtree.common.config;

import picocli.CommandLine.Option;

/**
 * The metrics flag of the long-running commands (the streaming job and {@code retrain schedule}), declared once with
 * one meaning: a picocli mixin ({@code @Mixin MetricsOptions metrics}). Off unless a port is given, the production
 * default; the launcher's demo turns it on.
 */
public final class MetricsOptions {

    public static final String METRICS_PORT = "--metrics-port";

    @Option(names = METRICS_PORT, defaultValue = "0", paramLabel = "PORT",
            description = "Serve Prometheus metrics on http://0.0.0.0:PORT/metrics; 0 = off (default: ${DEFAULT-VALUE}).")
    private int port;

    /**
     * The port to serve metrics on, or 0 when metrics are off.
     *
     * @throws IllegalArgumentException naming the flag when the port is outside 0..65535
     */
    public int port() {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(METRICS_PORT + " must be 0 (off) or a port 1..65535, got " + port);
        }
        return port;
    }

    /** Whether a port was given. */
    public boolean enabled() {
        return port() != 0;
    }
}
