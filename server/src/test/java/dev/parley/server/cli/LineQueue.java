package dev.parley.server.cli;

import dev.parley.server.ScriptedClient;

import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A writer that keeps everything written and hands each complete line to a test as it comes, to
 * await output from a running command. Thread-safe. Published in the server's test-jar for the
 * tests of other modules' commands.
 */
public final class LineQueue extends Writer {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder all = new StringBuilder();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
        all.append(buffer, offset, length);
        for (int i = offset; i < offset + length; i++) {
            if (buffer[i] == '\n') {
                lines.add(partial.toString());
                partial.setLength(0);
            } else if (buffer[i] != '\r') {
                partial.append(buffer[i]);
            }
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Everything written so far. */
    public synchronized String text() {
        return all.toString();
    }

    /** Waits for the next line that meets {@code condition}, passing over others; fails after {@link ScriptedClient#TIMEOUT}. */
    public String await(Predicate<String> condition) throws InterruptedException {
        return await(condition, ScriptedClient.TIMEOUT);
    }

    /** Waits for the next line that meets {@code condition}, passing over others; fails after {@code timeout}. */
    public String await(Predicate<String> condition, Duration timeout) throws InterruptedException {
        List<String> passed = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no matching line within " + timeout + "; passed over " + passed);
            }
            if (condition.test(line)) {
                return line;
            }
            passed.add(line);
        }
    }
}
