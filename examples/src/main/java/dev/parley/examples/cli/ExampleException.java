package dev.parley.examples.cli;

/**
 * An expected failure of an example command (bad input, a server that is not running, a port
 * that is taken), reported as one line on standard error and an exit code, never a stack trace.
 */
public final class ExampleException extends Exception {

    /** Exit code of a command that ran but could not do its job, as {@code parley}'s own commands. */
    public static final int FAILED = 1;
    /** Exit code of a usage error or an unreachable server, as {@code parley}'s own commands. */
    public static final int USAGE = 2;

    private final int exitCode;

    private ExampleException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** The user asked for something that cannot be done as asked (bad option, no server there). */
    public static ExampleException usage(String message) {
        return new ExampleException(USAGE, message);
    }

    /** The command was used right but failed (a port taken, a refused request). */
    public static ExampleException failed(String message) {
        return new ExampleException(FAILED, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
