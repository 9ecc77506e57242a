package dev.streamtree.bench;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchOptionsTest {

    private static BenchSizes parse(String... args) {
        SuiteCommands.All all = new SuiteCommands.All();
        new CommandLine(all).parseArgs(args);
        return all.options.sizes();
    }

    @Test
    void fullDefaultsMatchTheIssue() {
        BenchSizes sizes = parse();
        assertThat(sizes.rates()).containsExactly(5000, 20000);
        assertThat(sizes.swaps()).isEqualTo(20);
        assertThat(sizes.trainingRows()).isEqualTo(1_000_000);
        assertThat(sizes.depth()).isEqualTo(10);
        assertThat(sizes.latencyTrigger()).isEqualTo(Duration.ofMillis(250));
        assertThat(sizes.repeats()).as("throughput runs per query").isEqualTo(5);
        assertThat(sizes.warmUpRuns()).as("throughput warm-up runs per query").isEqualTo(1);
    }

    @Test
    void quickShrinksSizesButExplicitFlagsWin() {
        BenchSizes quick = parse("--quick");
        assertThat(quick.events()).isLessThan(parse().events());
        assertThat(quick.trainingRows()).isLessThan(1_000_000);
        assertThat(quick.swaps()).isLessThan(20);
        BenchSizes mixed = parse("--quick", "--swaps", "7", "--rates", "1000,2000,3000");
        assertThat(mixed.swaps()).isEqualTo(7);
        assertThat(mixed.rates()).isEqualTo(List.of(1000, 2000, 3000));
        assertThat(mixed.events()).isEqualTo(quick.events());
        assertThat(quick.repeats()).isEqualTo(1);
        assertThat(quick.warmUpRuns()).isZero();
        assertThat(parse("--warm-up-runs", "2").warmUpRuns()).isEqualTo(2);
        assertThat(parse("--quick", "--repeats", "2").repeats()).isEqualTo(2);
    }

    @Test
    void badValuesNameTheFlag() {
        assertThatThrownBy(() -> parse("--repeats", "0")).hasMessageContaining("--repeats").hasMessageContaining("got 0");
        assertThatThrownBy(() -> parse("--swaps", "0")).hasMessageContaining("--swaps").hasMessageContaining("got 0");
        assertThatThrownBy(() -> parse("--latency-trigger", "soon")).hasMessageContaining("'soon'");
        assertThatThrownBy(() -> parse("--latency-seconds", "5", "--warmup-seconds", "5"))
                .hasMessageContaining("--warmup-seconds");
    }
}
