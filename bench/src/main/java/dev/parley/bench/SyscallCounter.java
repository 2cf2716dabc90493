package dev.parley.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Counts the system calls every thread of this process enters during a timed phase, with
 * {@code perf stat -e raw_syscalls:sys_enter -p PID}: a tracepoint counter in the kernel, which
 * (unlike {@code strace}) does not slow the calls it counts and so does not change how a
 * transport batches. {@code perf} starts with its counter disabled and this class enables and
 * disables it through {@code perf}'s control FIFOs ({@code --control fifo:CTL,ACK}), so the count
 * covers exactly the phase between {@link #enable} and {@link #disable}; threads created
 * meanwhile inherit the counter. Where {@code perf} is missing or may not trace (not root and
 * {@code perf_event_paranoid} above -1), {@link #start} returns a counter that counts NaN. One
 * benchmark thread uses an instance.
 */
final class SyscallCounter implements AutoCloseable {

    private static final String EVENT = "raw_syscalls:sys_enter";
    private static final long TIMEOUT_SECONDS = 10;
    private static final SyscallCounter NONE = new SyscallCounter(null, null, null, null, null);
    private static volatile Boolean usable;

    private final Process perf;
    private final Path directory;
    private final Path output;
    private final OutputStream control;
    private final InputStream acks;

    private SyscallCounter(Process perf, Path directory, Path output, OutputStream control, InputStream acks) {
        this.perf = perf;
        this.directory = directory;
        this.output = output;
        this.control = control;
        this.acks = acks;
    }

    /** Attaches {@code perf} to this process with its counter disabled, or returns a counter of NaN. */
    static SyscallCounter start() {
        if (!usable()) {
            return NONE;
        }
        Path directory = null;
        Process perf = null;
        try {
            directory = Files.createTempDirectory("parley-perf");
            Path ctl = directory.resolve("ctl");
            Path ack = directory.resolve("ack");
            Path output = directory.resolve("perf.csv");
            run(List.of("mkfifo", ctl.toString(), ack.toString()));
            perf = new ProcessBuilder("perf", "stat", "-x,", "-e", EVENT, "-p", Long.toString(ProcessHandle.current().pid()),
                    "-D", "-1", "--control", "fifo:" + ctl + "," + ack, "-o", output.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            // Opening a FIFO waits for its other end: bounded, in case perf failed to start.
            var opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return new Object[] {Files.newOutputStream(ctl), Files.newInputStream(ack)};
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, runnable -> Thread.ofPlatform().daemon().start(runnable)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return new SyscallCounter(perf, directory, output, (OutputStream) opened[0], (InputStream) opened[1]);
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            usable = false; // perf ran but cannot count this process this way: do not wait for it again
            discard(perf, directory);
            return NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard(perf, directory);
            return NONE;
        }
    }

    /** Starts counting. */
    void enable() throws IOException {
        command("enable");
    }

    /** Stops counting. */
    void disable() throws IOException {
        command("disable");
    }

    /**
     * The system calls counted while enabled: ends {@code perf} (with SIGINT, on which it prints
     * its counts); NaN if it could not count.
     */
    double count() throws InterruptedException {
        if (perf == null) {
            return Double.NaN;
        }
        try {
            run(List.of("kill", "-INT", Long.toString(perf.pid())));
            if (!perf.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return Double.NaN;
            }
            for (String line : Files.readAllLines(output)) {
                String[] fields = line.split(",");
                if (fields.length > 2 && fields[2].equals(EVENT)) {
                    return fields[0].startsWith("<") ? 0 : Double.parseDouble(fields[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // No count: the column says n/a.
        }
        return Double.NaN;
    }

    @Override
    public void close() {
        if (perf != null) {
            try {
                control.close();
                acks.close();
            } catch (IOException e) {
                // The FIFOs are deleted below either way.
            }
            discard(perf, directory);
        }
    }

    private void command(String command) throws IOException {
        if (perf == null) {
            return;
        }
        control.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
        control.flush();
        // perf answers "ack\n" (and a NUL byte, which the next wait skips).
        int b;
        do {
            b = acks.read();
        } while (b != '\n' && b != -1);
        if (b == -1) {
            throw new IOException("perf ended while " + command + " was awaited");
        }
    }

    private static boolean usable() {
        if (usable == null) {
            try {
                usable = run(List.of("perf", "stat", "-x,", "-e", EVENT, "--", "true")) == 0;
            } catch (IOException e) {
                usable = false;
            }
        }
        return usable;
    }

    private static int run(List<String> command) throws IOException {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(command.getFirst() + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.getFirst(), e);
        }
    }

    private static void discard(Process perf, Path directory) {
        if (perf != null) {
            perf.destroyForcibly();
        }
        if (directory != null) {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                // A temporary directory left behind.
            }
        }
    }
}
