package dev.parley.server.cli;

import dev.parley.server.ScriptedClient;

import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A writer that hands each complete line to a test as it is written, to await output from a running command. */
final class LineQueue extends Writer {

    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public synchronized void write(char[] buffer, int offset, int length) {
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

    /** Waits for the next line that meets {@code condition}, passing over others; fails after {@link ScriptedClient#TIMEOUT}. */
    String await(Predicate<String> condition) throws InterruptedException {
        List<String> passed = new ArrayList<>();
        long deadline = System.nanoTime() + ScriptedClient.TIMEOUT.toNanos();
        while (true) {
            String line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no matching line within " + ScriptedClient.TIMEOUT + "; passed over " + passed);
            }
            if (condition.test(line)) {
                return line;
            }
            passed.add(line);
        }
    }
}
