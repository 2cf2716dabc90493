package dev.parley.gui;

import dev.parley.server.cli.Addresses;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code parley chat} as a person or a script runs it: a separate JVM on this test's class path,
 * typed to through its standard input, its standard output (and error) read line by line. A
 * thread of its own reads the lines into a queue; the test thread types and awaits them. Every
 * await gives up after {@link #TIMEOUT}, saying what it waited for and every line printed so far.
 */
final class ChatProcess implements AutoCloseable {

    /** How long an await waits, and how long {@link #close} waits for the process to exit. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String user;
    private final Process process;
    private final Writer input;
    private final BlockingQueue<String> output = new LinkedBlockingQueue<>();
    private final List<String> taken = new ArrayList<>();

    private ChatProcess(String user, Process process) {
        this.user = user;
        this.process = process;
        this.input = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        var lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Thread.ofPlatform().daemon().name("parley-chat-" + user + "-output").start(() -> {
            try (lines) {
                lines.lines().forEach(output::add);
            } catch (IOException | UncheckedIOException e) {
                output.add("(output lost: " + e.getMessage() + ")");
            }
        });
    }

    /**
     * Starts {@code parley chat --user USER} against {@code server} over TCP, printing in UTF-8
     * whatever this machine's locale, and waits until it says it is registered.
     */
    static ChatProcess signIn(SocketAddress server, String user) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-cp", System.getProperty("java.class.path"), "dev.parley.server.cli.ParleyCommand",
                "chat", "--user", user, "--transport", "tcp", "--server", Addresses.format(server))
                .redirectErrorStream(true)
                .start();
        var chat = new ChatProcess(user, process);
        try {
            chat.await("registered", ("registered as " + user)::equals);
        } catch (RuntimeException e) {
            chat.close();
            throw e;
        }
        return chat;
    }

    /** Types {@code line} and Enter. */
    void type(String line) throws IOException {
        input.write(line + "\n");
        input.flush();
    }

    /**
     * Takes printed lines until one meets {@code condition}, and returns it.
     *
     * @throws IllegalStateException if none does within {@link #TIMEOUT}
     */
    String await(String what, Predicate<String> condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try {
            while (true) {
                String line = output.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IllegalStateException("parley chat as " + user + " printed no line saying " + what
                            + " within " + TIMEOUT.toSeconds() + " s; it printed " + taken);
                }
                taken.add(line);
                if (condition.test(line)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted awaiting " + what, e);
        }
    }

    /** Ends the input, as a script's end does (the chat says goodbye and exits); kills it if it has not exited in time. */
    @Override
    public void close() {
        try {
            input.close();
        } catch (IOException e) {
            // Exited already: nothing reads its input.
        }
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
