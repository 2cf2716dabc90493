package dev.parley.server.cli;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The outcome of running {@code parley} in-process: exit code, standard output and standard error. */
record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code parley args...} with {@code input} as standard input, to the end. */
    static CommandRun run(String input, String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), out, err, args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /** Runs {@code parley args...} reading {@code in} and writing to {@code out} and {@code err}; returns the exit code. */
    static int run(InputStream in, Writer out, Writer err, String... args) {
        return ParleyCommand.commandLine(in)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
    }

    List<String> outLines() {
        return out.lines().toList();
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
