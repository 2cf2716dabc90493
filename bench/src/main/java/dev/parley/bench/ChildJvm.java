package dev.parley.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JVM the benchmark starts to run one side of a measurement in a process of its own: KryoNet
 * with its own Kryo, a server holding more sockets than one process may open, a run inside a
 * network namespace. The child's main class speaks a line protocol: it prints figures as lines
 * that start with a keyword (among the JVM's own warnings, which are kept only for error
 * messages) and may read commands from its standard input. A daemon thread reads the child's
 * output; the methods here are for one benchmark thread.
 */
final class ChildJvm implements AutoCloseable {

    /** Lines of the child's output kept for error messages: the last ones. */
    private static final int TRANSCRIPT_LINES = 200;
    /** Marks the end of the child's output in the line queue. */
    private static final String END = new String("end of output");

    private final Process process;
    private final PrintStream commands;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());

    private ChildJvm(Process process) {
        this.process = process;
        this.commands = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("child-jvm-output-" + process.pid()).start(this::readOutput);
    }

    /**
     * Starts {@code main} with {@code args} in a new JVM (the same {@code java} as this one),
     * with {@code classPath}, {@code jvmOptions} before the class, and {@code prefix} before the
     * whole command (for example {@code ip netns exec NAME}); empty lists for none.
     */
    static ChildJvm start(List<String> prefix, String classPath, List<String> jvmOptions, Class<?> main,
                          List<String> args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseThrow(() -> new IOException("cannot tell which java runs this JVM"));
        List<String> command = new ArrayList<>(prefix);
        command.add(java);
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classPath, main.getName()));
        command.addAll(args);
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** This JVM's own class path, for a child that runs the bench's classes and their dependencies. */
    static String ownClassPath() {
        return System.getProperty("java.class.path");
    }

    /** The child's process id. */
    long pid() {
        return process.pid();
    }

    /** Sends {@code command} to the child as one line on its standard input. */
    void send(String command) {
        commands.println(command);
    }

    /** Closes the child's standard input: by the line protocol, the child then finishes. */
    void endCommands() {
        commands.close();
    }

    /**
     * Waits at most {@code limit} for the child's next line that is {@code keyword} or starts with
     * it and a space, passing over other lines, and returns its fields after the keyword.
     *
     * @throws IOException if the child ends or the limit passes first; the message holds its output
     */
    String[] await(String keyword, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw failure("printed no '" + keyword + "' line within " + limit);
            }
            if (line == END) {
                lines.add(END);
                throw failure("ended without printing a '" + keyword + "' line");
            }
            if (line.equals(keyword) || line.startsWith(keyword + " ")) {
                String[] fields = line.split(" ");
                return java.util.Arrays.copyOfRange(fields, 1, fields.length);
            }
        }
    }

    /**
     * Waits at most {@code limit} for the child to end with exit code 0.
     *
     * @throws IOException if it fails or is still running then (it is killed)
     */
    void awaitSuccess(Duration limit) throws IOException, InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw failure("ran longer than " + limit);
        }
        if (process.exitValue() != 0) {
            throw failure("failed with exit code " + process.exitValue());
        }
    }

    /** Kills the child if it still runs and waits for it to end. */
    @Override
    public void close() throws InterruptedException {
        commands.close();
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }

    private IOException failure(String what) {
        List<String> output;
        synchronized (transcript) {
            output = List.copyOf(transcript);
        }
        return new IOException("the child JVM " + process.pid() + " " + what + "; its output: " + output);
    }

    private void readOutput() {
        try (var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                synchronized (transcript) {
                    if (transcript.size() == TRANSCRIPT_LINES) {
                        transcript.removeFirst();
                    }
                    transcript.add(line);
                }
                lines.add(line);
            }
        } catch (IOException e) {
            transcript.add("(reading the output failed: " + e.getMessage() + ")");
        } finally {
            lines.add(END);
        }
    }
}
