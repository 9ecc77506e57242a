package dev.streamtree.streaming;

import dev.streamtree.common.catalog.CatalogKind;
import dev.streamtree.common.topic.Topics;
import dev.streamtree.streaming.config.StreamingConfig;
import dev.streamtree.streaming.realtime.RealTimeConfig;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StreamingCommandTest {

    @Test
    void defaultsFollowTheSharedContract() {
        StreamingConfig config = parse("--bootstrap-servers", "localhost:9092");

        assertThat(config.topics()).isEqualTo(Topics.defaults());
        assertThat(config.schemaLocation()).isEqualTo("builtin:agrawal");
        assertThat(config.lake()).isEqualTo("work/lake");
        assertThat(config.registry()).isEqualTo("work/registry");
        assertThat(config.checkpoint()).isEqualTo("work/checkpoints/streaming");
        assertThat(config.catalog()).isEqualTo(CatalogKind.LOCAL);
        assertThat(config.database() + "." + config.table()).isEqualTo("streamtree.events");
        assertThat(config.triggerInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.maxOffsetsPerTrigger()).isZero();
        assertThat(config.startingOffsets()).isEqualTo("earliest");
        assertThat(config.explain()).isFalse();
    }

    @Test
    void flagsOverrideDefaults() {
        StreamingConfig config = parse("--bootstrap-servers", "b1:9092,b2:9092", "--catalog", "glue", "--glue-region",
                "eu-west-1", "--trigger-interval", "500ms", "--max-offsets-per-trigger", "10000", "--explain",
                "--events-topic", "in", "--predictions-topic", "out", "--starting-offsets", "latest");

        assertThat(config.catalog()).isEqualTo(CatalogKind.GLUE);
        assertThat(config.glueRegion()).isEqualTo("eu-west-1");
        assertThat(config.triggerInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.maxOffsetsPerTrigger()).isEqualTo(10000);
        assertThat(config.explain()).isTrue();
        assertThat(config.topics().events()).isEqualTo("in");
        assertThat(config.topics().predictions()).isEqualTo("out");
        assertThat(config.startingOffsets()).isEqualTo("latest");
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> parse()).hasMessage("missing --bootstrap-servers");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "x:1", "--trigger-interval", "soon"))
                .hasMessageContaining("--trigger-interval 'soon' is not a duration");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "x:1", "--catalog", "hive"))
                .hasMessageContaining("catalog 'hive' is not one of local, glue");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "x:1", "--catalog", "glue"))
                .hasMessageContaining("--glue-region");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "x:1", "--starting-offsets", "yesterday"))
                .hasMessageContaining("'yesterday'");
        assertThatThrownBy(() -> parse("--bootstrap-servers", "x:1", "--max-offsets-per-trigger", "-5"))
                .hasMessageContaining("-5");
    }

    @Test
    void badArgumentsExitNonZeroWithOneLineAndNoStackTrace() {
        StringWriter err = new StringWriter();

        int exit = StreamingCommand.execute(new PrintWriter(err, true), "--bootstrap-servers", "x:1", "--trigger-interval", "0x");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("streaming: --trigger-interval '0x' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 7d or PT30S)");

        StringWriter unknown = new StringWriter();
        assertThat(StreamingCommand.execute(new PrintWriter(unknown, true), "--no-such-flag")).isEqualTo(2);
        assertThat(unknown.toString()).contains("Unknown option: '--no-such-flag'").doesNotContain("\tat ");
    }

    @Test
    void aBadMetricsPortExitsWithTheFlagNamedBeforeSparkStarts() {
        StringWriter err = new StringWriter();

        int exit = StreamingCommand.execute(new PrintWriter(err, true), "--bootstrap-servers", "x:1", "--metrics-port", "70000");

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("streaming: --metrics-port must be 0 (off) or a port 1..65535, got 70000");
    }

    @Test
    void realTimeModeIsOffByDefaultAndItsFlagsParse() {
        assertThat(realTime("--bootstrap-servers", "x:1")).as("micro-batch by default").isEmpty();

        RealTimeConfig defaults = realTime("--bootstrap-servers", "x:1", "--real-time", "--checkpoint", "cp/streaming")
                .orElseThrow();
        assertThat(defaults.checkpointInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.watchInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.checkpoint()).as("beside the lake query's").isEqualTo("cp/streaming-realtime");

        RealTimeConfig set = realTime("--bootstrap-servers", "x:1", "--real-time", "--real-time-checkpoint-interval", "30s",
                "--model-watch-interval", "250ms", "--real-time-checkpoint", "cp/scoring").orElseThrow();
        assertThat(set).isEqualTo(new RealTimeConfig(Duration.ofSeconds(30), Duration.ofMillis(250), "cp/scoring"));
    }

    @Test
    void badRealTimeValuesAreNamed() {
        assertThatThrownBy(() -> realTime("--bootstrap-servers", "x:1", "--real-time", "--model-watch-interval", "often"))
                .hasMessageContaining("--model-watch-interval 'often' is not a duration");
        assertThatThrownBy(() -> realTime("--bootstrap-servers", "x:1", "--real-time", "--real-time-checkpoint-interval",
                "1s", "--model-watch-interval", "2s"))
                .hasMessage("--model-watch-interval PT2S must be shorter than --real-time-checkpoint-interval PT1S");
        assertThatThrownBy(() -> new RealTimeConfig(Duration.ZERO, Duration.ofMillis(1), "cp"))
                .hasMessage("--real-time-checkpoint-interval must be positive, got PT0S");
    }

    private static Optional<RealTimeConfig> realTime(String... args) {
        StreamingCommand command = new StreamingCommand();
        new CommandLine(command).parseArgs(args);
        command.toConfig();
        return command.toRealTimeConfig();
    }

    private static StreamingConfig parse(String... args) {
        StreamingCommand command = new StreamingCommand();
        new CommandLine(command).parseArgs(args);
        return command.toConfig();
    }
}
