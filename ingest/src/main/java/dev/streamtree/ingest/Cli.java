package dev.streamtree.ingest;

import picocli.CommandLine;

/**
 * Command-line conventions shared by every streamtree CLI: case-insensitive enum values, and errors reported as
 * one line naming what was wrong, no stack trace unless {@code STREAMTREE_DEBUG} is set to 1. Exit codes: 2 for a
 * bad argument or configuration value (picocli's own code for input it cannot convert; streamtree's configuration
 * records refuse values with {@link IllegalArgumentException}), 1 for any other failure.
 */
public final class Cli {

    /** Exit code for a bad argument or configuration value. */
    public static final int EXIT_BAD_ARGUMENTS = 2;
    /** Exit code for a failure at run time. */
    public static final int EXIT_FAILED = 1;

    private Cli() {
    }

    public static CommandLine configure(CommandLine commandLine) {
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(e)));
            if ("1".equals(System.getenv("STREAMTREE_DEBUG"))) {
                e.printStackTrace(cmd.getErr());
            }
            return e instanceof IllegalArgumentException ? EXIT_BAD_ARGUMENTS : EXIT_FAILED;
        });
        return commandLine;
    }

    static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
