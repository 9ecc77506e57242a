package dev.streamtree.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A command started with {@code setsid} in a session and process group of its own, so that it and every process it
 * starts (background jobs, JVMs they fork) can be listed and killed together even after the leader has exited or the
 * tree has been re-parented. Linux only: members are found through {@code /proc/<pid>/stat}.
 *
 * <p>Closing it kills whatever is still in the group; a JVM shutdown hook does the same if the test JVM is stopped
 * while the command runs.
 */
final class ProcessGroup implements AutoCloseable {

    private static final Duration LEADER_WAIT = Duration.ofSeconds(10);
    private static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

    private final Process process;
    private final Thread shutdownHook;

    private ProcessGroup(Process process) {
        this.process = process;
        this.shutdownHook = new Thread(() -> kill(CLOSE_GRACE), "kill-process-group-" + process.pid());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the builder's command under {@code setsid --wait} (the builder's command is rewritten so; its directory,
     * environment and redirects apply) and returns once the command leads its own process group (or has already exited).
     *
     * @throws IOException when the command cannot be started (no {@code setsid} on the PATH, for example)
     * @throws IllegalStateException when the command did not become a process group leader in time
     */
    static ProcessGroup start(ProcessBuilder builder) throws IOException {
        List<String> command = new ArrayList<>(List.of("setsid", "--wait"));
        command.addAll(builder.command());
        Process process = builder.command(command).start();
        ProcessGroup group = new ProcessGroup(process);
        Instant deadline = Instant.now().plus(LEADER_WAIT);
        while (process.isAlive() && stat(process.pid()).map(stat -> stat.processGroup() != process.pid()).orElse(false)) {
            if (Instant.now().isAfter(deadline)) {
                group.close();
                throw new IllegalStateException("process " + process.pid() + " (" + String.join(" ", command)
                        + ") did not become a process group leader in " + LEADER_WAIT);
            }
            sleep(Duration.ofMillis(20));
        }
        return group;
    }

    Process process() {
        return process;
    }

    /** The process group id: the leader's pid. */
    long id() {
        return process.pid();
    }

    /** Live processes of the group, the leader included while it runs. */
    List<ProcessHandle> members() {
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            return entries.map(path -> path.getFileName().toString())
                    .filter(name -> name.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .filter(pid -> stat(pid).map(stat -> stat.processGroup() == id() && stat.state() != 'Z').orElse(false))
                    .map(ProcessHandle::of)
                    .flatMap(Optional::stream)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits up to 10 s until the group has at least {@code count} live members; returns the members then. */
    List<ProcessHandle> awaitMembers(int count) {
        Instant deadline = Instant.now().plus(LEADER_WAIT);
        List<ProcessHandle> members = members();
        while (members.size() < count && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(20));
            members = members();
        }
        return members;
    }

    /** Waits up to {@code timeout} for the group to empty; returns the members still alive then. */
    List<ProcessHandle> awaitEmpty(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        List<ProcessHandle> members = members();
        while (!members.isEmpty() && Instant.now().isBefore(deadline)) {
            sleep(Duration.ofMillis(200));
            members = members();
        }
        return members;
    }

    /**
     * SIGTERM to every member, up to {@code grace} for them to exit, then SIGKILL to the rest (repeated for members
     * started meanwhile). Returns the number of processes signalled.
     */
    int kill(Duration grace) {
        List<ProcessHandle> members = members();
        int signalled = members.size();
        members.forEach(ProcessHandle::destroy);
        List<ProcessHandle> left = awaitEmpty(grace);
        for (int round = 0; !left.isEmpty() && round < 5; round++) {
            signalled += left.size();
            left.forEach(ProcessHandle::destroyForcibly);
            left = awaitEmpty(Duration.ofSeconds(5));
        }
        return signalled;
    }

    /** One line per live member: pid and command line. */
    static String describe(List<ProcessHandle> processes) {
        StringBuilder lines = new StringBuilder();
        processes.forEach(p -> lines.append(p.pid()).append(' ')
                .append(p.info().commandLine().orElse("?")).append('\n'));
        return lines.toString();
    }

    @Override
    public void close() {
        kill(CLOSE_GRACE);
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running or ran.
        }
    }

    /** The fields of /proc/<pid>/stat this class needs. */
    private record Stat(char state, long processGroup) {
    }

    private static Optional<Stat> stat(long pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            return Optional.empty();  // no such process, or it exited while being read
        }
        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
        String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Optional.of(new Stat(fields[0].charAt(0), Long.parseLong(fields[2])));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
