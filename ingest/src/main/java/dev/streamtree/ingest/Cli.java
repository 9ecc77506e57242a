package dev.streamtree.ingest;

import picocli.CommandLine;

/**
 * Command-line conventions shared by every streamtree CLI: case-insensitive enum values, and errors reported as
 * one line naming what was wrong, exit code 1, no stack trace unless {@code STREAMTREE_DEBUG} is set to 1.
 */
public final class Cli {

    private Cli() {
    }

    public static CommandLine configure(CommandLine commandLine) {
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            cmd.getErr().println(cmd.getColorScheme().errorText("error: " + message(e)));
            if ("1".equals(System.getenv("STREAMTREE_DEBUG"))) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
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
