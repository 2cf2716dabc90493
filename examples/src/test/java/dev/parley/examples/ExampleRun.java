package dev.parley.examples;

import dev.parley.examples.cli.StopSignal;
import dev.parley.server.cli.LineQueue;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Runs {@code parley example ...} in this process, as {@code parley} would, with a given standard
 * input: to the end ({@link #run}), or in the background ({@link #start}) for servers and clients
 * that wait, whose output lines a test can await and whose stop it can request.
 */
public final class ExampleRun implements AutoCloseable {

    /** How long a test waits for any one thing. */
    public static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** A finished run: exit code and what it printed. */
    public record Result(int exitCode, String out, String err) {
        public List<String> outLines() {
            return out.lines().toList();
        }

        public List<String> errLines() {
            return err.lines().toList();
        }
    }

    private final StopSignal stop = new StopSignal();
    private final LineQueue out = new LineQueue();
    private final LineQueue err = new LineQueue();
    private final CompletableFuture<Integer> exitCode;

    private ExampleRun(String input, String... args) {
        CommandLine commandLine = new CommandLine(new ExampleCommand(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), () -> stop))
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        this.exitCode = CompletableFuture.supplyAsync(() -> commandLine.execute(args),
                runnable -> Thread.ofPlatform().name("example " + String.join(" ", args)).start(runnable));
    }

    /** Runs {@code parley example args...} reading {@code input}, and waits for it to end. */
    public static Result run(String input, String... args) throws Exception {
        try (var run = start(input, args)) {
            return run.finish();
        }
    }

    /** Starts {@code parley example args...} reading {@code input}, in the background. */
    public static ExampleRun start(String input, String... args) {
        return new ExampleRun(input, args);
    }

    /** Waits for the next line of standard output that meets {@code condition}, passing over others. */
    public String awaitLine(Predicate<String> condition) throws InterruptedException {
        return out.await(condition, TIMEOUT);
    }

    /** Waits for a server's "listening on ... HOST:PORT" line and returns "localhost:PORT". */
    public String awaitServer() throws InterruptedException {
        String line = awaitLine(l -> l.contains(" listening on "));
        String address = line.substring(0, line.indexOf(" (Ctrl-C"));
        return "localhost:" + address.substring(address.lastIndexOf(':') + 1);
    }

    /** Asks a running server to stop, as Ctrl-C does, and waits for it to end. */
    public Result stop() throws Exception {
        stop.request();
        return finish();
    }

    /** Waits for the command to end by itself. */
    public Result finish() throws Exception {
        int code = exitCode.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return new Result(code, out.text(), err.text());
    }

    /** Stops the command if it still runs. */
    @Override
    public void close() throws Exception {
        if (!exitCode.isDone()) {
            stop();
        }
    }
}
