package dev.streamtree.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.ProcessBuilder.Redirect;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ProcessGroup}: the timeout path of StandaloneClusterIT, on a shell that leaves background children. */
class ProcessGroupTest {

    private static ProcessBuilder shell(String script) {
        return new ProcessBuilder("bash", "-c", script).redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(Redirect.DISCARD).redirectErrorStream(true);
    }

    @Test
    void killsTheLeaderAndEveryBackgroundChildIncludingGrandchildren() throws Exception {
        try (ProcessGroup group = ProcessGroup.start(shell("sleep 300 & (sleep 300 & wait) & wait"))) {
            List<ProcessHandle> members = group.awaitMembers(4);
            assertThat(members).hasSizeGreaterThanOrEqualTo(4);  // bash, its sleep, the subshell and the subshell's sleep

            int signalled = group.kill(Duration.ofSeconds(5));

            assertThat(signalled).isGreaterThanOrEqualTo(members.size());
            assertThat(group.members()).isEmpty();
            assertThat(group.process().waitFor(5, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle member : members) {  // reaped by their parent or init shortly after
                assertThat(member.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("pid " + member.pid()).isFalse();
            }
        }
    }

    @Test
    void findsChildrenLeftBehindAfterTheLeaderExited() throws Exception {
        try (ProcessGroup group = ProcessGroup.start(shell("sleep 300 & exit 0"))) {
            assertThat(group.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(group.process().exitValue()).isZero();

            List<ProcessHandle> left = group.awaitEmpty(Duration.ofMillis(500));

            assertThat(ProcessGroup.describe(left)).contains("sleep 300");
            group.kill(Duration.ofSeconds(5));
            assertThat(group.members()).isEmpty();
        }
    }

    @Test
    void leadsItsOwnProcessGroupSoTheTestJvmIsNeverAMember() throws Exception {
        try (ProcessGroup group = ProcessGroup.start(shell("sleep 300"))) {
            assertThat(group.awaitMembers(1)).extracting(ProcessHandle::pid)
                    .doesNotContain(ProcessHandle.current().pid())
                    .contains(group.id());
        }
    }
}
