package dev.streamtree.retrain;

import picocli.CommandLine;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class RetrainJobMainTest {

    private record Result(int exit, String out, String err) {
    }

    private static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = RetrainJobMain.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void parsesEveryRunFlagWithoutStartingSpark() {
        Result r = execute("run", "--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("--window", "--last-rows", "--min-rows", "--tolerance", "--force", "Exit codes: 0 promoted, 3 champion kept");
    }

    @Test
    void unknownFlagIsOneClearMessageWithExitTwo() {
        Result r = execute("run", "--windw", "24h");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("retrain-job: Unknown options: '--windw', '24h'").contains("--help").doesNotContain("Exception");
        assertThat(r.err().lines().count()).isEqualTo(2);
    }

    @Test
    void badDurationNamesTheValueAndFailsWithoutStackTrace() {
        Result r = execute("run", "--window", "5 parsecs");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).isEqualTo("retrain-job: '5 parsecs' is not a duration (use e.g. 500ms, 30s, 5m, 2h, 7d or PT30S)" + System.lineSeparator());
    }

    @Test
    void windowAndLastRowsTogetherAreRefused() {
        Result r = execute("run", "--window", "24h", "--last-rows", "1000");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("give either --window or --last-rows, not both");
    }

    @Test
    void triggerWithoutBootstrapServersSaysSo() {
        Result r = execute("trigger");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("--bootstrap-servers is required");
    }

    @Test
    void modelsWithoutSubcommandListsThem() {
        Result r = execute("models");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("retrain-job: missing subcommand: list, show, promote, rollback or prune");
    }

    @Test
    void modelsShowRejectsPathLikeVersion() {
        Result r = execute("models", "show", "../../etc", "--registry", System.getProperty("java.io.tmpdir") + "/streamtree-main-test-registry");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("'../../etc' is not a model version");
    }

    @Test
    void trainingFlagsReachTheConfig() {
        Result r = execute("run", "--tolerance", "2", "--last-rows", "100");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("tolerance must be within [0, 1], got 2.0");
    }

    @Test
    void badConfigValuesExitTwoWithoutStackTrace() {
        for (String[] args : new String[][]{{"run", "--holdout-fraction", "1.5"}, {"run", "--gate-metric", "precision"},
                {"schedule", "--every", "never"}, {"trigger", "--bootstrap-servers", "localhost:notaport"}}) {
            Result r = execute(args);
            assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", args)).startsWith("retrain-job: ").doesNotContain("\tat ");
            assertThat(r.err().lines().count()).as(String.join(" ", args)).isEqualTo(1);
        }
    }

    @Test
    void unexpectedFailureIsOneLineWithItsClassAndExitOne() {
        StringWriter err = new StringWriter();
        CommandLine cmd = RetrainJobMain.commandLine().setErr(new PrintWriter(err, true));
        int exit = RetrainJobMain.report(new UnsupportedOperationException("no codec for parquet"), cmd, null);
        assertThat(exit).isEqualTo(RetrainOutcome.EXIT_FAILED);
        assertThat(err.toString()).isEqualTo("retrain-job: failed: java.lang.UnsupportedOperationException: "
                + "no codec for parquet" + System.lineSeparator());
    }

    @Test
    void runtimeFailureOfAKnownKindExitsOne() {
        StringWriter err = new StringWriter();
        CommandLine cmd = RetrainJobMain.commandLine().setErr(new PrintWriter(err, true));
        int exit = RetrainJobMain.report(new IllegalStateException("cannot publish to control topic"), cmd, null);
        assertThat(exit).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("retrain-job: cannot publish to control topic" + System.lineSeparator());
    }

    @Test
    void scheduleRetrainsOnDriftAndBootstrapsByDefaultAndFlagsTurnThemOff() {
        dev.streamtree.retrain.cli.ScheduleCommand defaults = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(defaults).parseArgs("--every", "1h");
        assertThat(defaults.triggers()).isEqualTo(dev.streamtree.retrain.schedule.TriggerPolicy.defaults());
        assertThat(defaults.runsMonitor()).as("monitor in-process by default").isTrue();

        dev.streamtree.retrain.cli.ScheduleCommand off = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(off).parseArgs("--every", "1h", "--no-drift-retrain", "--no-bootstrap", "--drift-min-rows", "800",
                "--drift-cooldown", "5m", "--bootstrap-min-rows", "300", "--drift-wait", "1m");
        var triggers = off.triggers();
        assertThat(off.runsMonitor()).isTrue();
        dev.streamtree.retrain.cli.ScheduleCommand noMonitor = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(noMonitor).parseArgs("--every", "1h", "--no-monitor");
        assertThat(noMonitor.runsMonitor()).isFalse();
        assertThat(triggers.drift()).isFalse();
        assertThat(triggers.bootstrap()).isFalse();
        assertThat(triggers.driftMinRows()).isEqualTo(800);
        assertThat(triggers.cooldown()).isEqualTo(java.time.Duration.ofMinutes(5));
        assertThat(triggers.bootstrapMinRows()).isEqualTo(300);
        assertThat(triggers.driftWait()).isEqualTo(java.time.Duration.ofMinutes(1));
    }

    @Test
    void scheduleMaintainsTheLakeHourlyByDefaultAndZeroTurnsItOff() {
        dev.streamtree.retrain.cli.ScheduleCommand defaults = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(defaults).parseArgs("--every", "1h");
        assertThat(defaults.lakeMaintenanceInterval()).contains(java.time.Duration.ofHours(1));
        dev.streamtree.retrain.cli.ScheduleCommand off = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(off).parseArgs("--every", "1h", "--lake-maintenance-interval", "0");
        assertThat(off.lakeMaintenanceInterval()).isEmpty();
        dev.streamtree.retrain.cli.ScheduleCommand often = new dev.streamtree.retrain.cli.ScheduleCommand();
        new CommandLine(often).parseArgs("--every", "1h", "--lake-maintenance-interval", "15m");
        assertThat(often.lakeMaintenanceInterval()).contains(java.time.Duration.ofMinutes(15));
    }

    @Test
    void tooFewDriftRowsAreRefusedNamingTheFlag() {
        Result r = execute("schedule", "--every", "1h", "--drift-min-rows", "5");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("--drift-min-rows must be at least 10, got 5");
    }

    @Test
    void triggerWithABadTrainFromNamesTheValue() {
        Result r = execute("trigger", "--train-from", "yesterday", "--bootstrap-servers", "localhost:1");
        assertThat(r.exit()).isEqualTo(RetrainJobMain.EXIT_BAD_ARGUMENTS);
        assertThat(r.err()).contains("--train-from 'yesterday' is not an ISO-8601 instant");
    }
}
