package dev.streamtree.common.config;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsOptionsTest {

    @Command(name = "job")
    static final class Job {
        @Mixin
        MetricsOptions metrics;
    }

    private static MetricsOptions parse(String... args) {
        Job job = new Job();
        new CommandLine(job).parseArgs(args);
        return job.metrics;
    }

    @Test
    void metricsAreOffUnlessAPortIsGiven() {
        assertThat(parse().enabled()).isFalse();
        assertThat(parse().port()).isZero();
        assertThat(parse("--metrics-port", "9464").port()).isEqualTo(9464);
        assertThat(parse("--metrics-port", "0").enabled()).isFalse();
    }

    @Test
    void aPortOutsideTheRangeIsRefusedNamingTheFlag() {
        assertThatThrownBy(() -> parse("--metrics-port", "70000").port())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--metrics-port must be 0 (off) or a port 1..65535, got 70000");
        assertThatThrownBy(() -> parse("--metrics-port", "-1").port())
                .hasMessageContaining("got -1");
    }
}
