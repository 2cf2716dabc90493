package dev.parley.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Counts the system calls every thread of this process enters during a timed phase, with
 * {@code perf stat -e raw_syscalls:sys_enter -p PID} (all of them, {@link #start()}) or the
 * {@code syscalls:sys_enter_*} tracepoints of the calls named ({@link #start(String...)}): a tracepoint counter in the kernel, which
 * (unlike {@code strace}) does not slow the calls it counts and so does not change how a
 * transport batches. {@code perf} starts with its counter disabled and this class enables and
 * disables it through {@code perf}'s control FIFOs ({@code --control fifo:CTL,ACK}), so the count
 * covers exactly the phase between {@link #enable} and {@link #disable}; threads created
 * meanwhile inherit the counter. Where {@code perf} is missing or may not trace (not root and
 * {@code perf_event_paranoid} above -1), {@link #start} returns a counter that counts NaN. One
 * benchmark thread uses an instance.
 */
final class SyscallCounter implements AutoCloseable {

    private static final String EVERY_CALL = "raw_syscalls:sys_enter";
    private static final long TIMEOUT_SECONDS = 10;
    private static final int ATTACH_ATTEMPTS = 3;
    private static final SyscallCounter NONE = new SyscallCounter(List.of(), null, null, null, null, null);
    /** Whether perf could count each set of events here, once tried. */
    private static final Map<List<String>, Boolean> usable = new ConcurrentHashMap<>();

    private final List<String> events;
    private final Process perf;
    private final Path directory;
    private final Path output;
    private final OutputStream control;
    private final InputStream acks;
    /** Whether perf ended before it was asked for the count; on the benchmark thread. */
    private boolean lost;

    private SyscallCounter(List<String> events, Process perf, Path directory, Path output, OutputStream control,
                           InputStream acks) {
        this.events = events;
        this.perf = perf;
        this.directory = directory;
        this.output = output;
        this.control = control;
        this.acks = acks;
    }

    /** A counter that counts nothing: NaN. */
    static SyscallCounter none() {
        return NONE;
    }

    /** Counts every system call: attaches {@code perf} to this process with its counter disabled, or returns a counter of NaN. */
    static SyscallCounter start() {
        return start(List.of(EVERY_CALL));
    }

    /** As {@link #start()}, counting only the calls named ({@code "fsync"}, {@code "fdatasync"}), together. */
    static SyscallCounter start(String... calls) {
        return start(Stream.of(calls).map(call -> "syscalls:sys_enter_" + call).toList());
    }

    /**
     * Attaches perf, trying again when it gave up: perf opens a counter per thread, and a thread
     * that ends meanwhile makes it fail for some events ("No such process"). A perf that answers
     * its first command has opened them all.
     */
    private static SyscallCounter start(List<String> events) {
        if (!usable(events)) {
            return NONE;
        }
        for (int attempt = 1; attempt <= ATTACH_ATTEMPTS; attempt++) {
            SyscallCounter counter = attach(events);
            if (counter.perf == null) {
                return NONE;
            }
            counter.disable(); // the counter starts disabled: this only asks whether perf is still there
            if (!counter.lost) {
                return counter;
            }
            counter.close();
        }
        return NONE;
    }

    private static SyscallCounter attach(List<String> events) {
        Path directory = null;
        Process perf = null;
        try {
            directory = Files.createTempDirectory("parley-perf");
            Path ctl = directory.resolve("ctl");
            Path ack = directory.resolve("ack");
            Path output = directory.resolve("perf.csv");
            run(List.of("mkfifo", ctl.toString(), ack.toString()));
            perf = new ProcessBuilder("perf", "stat", "-x,", "-e", String.join(",", events), "-p", Long.toString(ProcessHandle.current().pid()),
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
            return new SyscallCounter(events, perf, directory, output, (OutputStream) opened[0], (InputStream) opened[1]);
        } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
            usable.put(events, false); // perf ran but cannot count this process this way: do not wait for it again
            discard(perf, directory);
            return NONE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            discard(perf, directory);
            return NONE;
        }
    }

    /** Starts counting. */
    void enable() {
        command("enable");
    }

    /** Stops counting. */
    void disable() {
        command("disable");
    }

    /**
     * The system calls counted while enabled (of every event counted, together): ends {@code perf}
     * (with SIGINT, on which it prints its counts); NaN if it could not count.
     */
    double count() throws InterruptedException {
        if (perf == null || lost) {
            return Double.NaN;
        }
        try {
            run(List.of("kill", "-INT", Long.toString(perf.pid())));
            if (!perf.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                return Double.NaN;
            }
            double total = 0;
            int counted = 0;
            for (String line : Files.readAllLines(output)) {
                String[] fields = line.split(",");
                if (fields.length > 2 && events.contains(fields[2])) {
                    total += fields[0].startsWith("<") ? 0 : Double.parseDouble(fields[0]);
                    counted++;
                }
            }
            if (counted == events.size()) {
                return total;
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

    /**
     * Sends {@code command} to perf and awaits its answer. A perf that has ended meanwhile (it can
     * fail to follow a thread that ends while it attaches) leaves the count NaN rather than ending
     * the benchmark: the write then fails with a broken pipe, or the answer never comes.
     */
    private void command(String command) {
        if (perf == null || lost) {
            return;
        }
        try {
            control.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            control.flush();
            // perf answers "ack\n" (and a NUL byte, which the next wait skips).
            int b;
            do {
                b = acks.read();
            } while (b != '\n' && b != -1);
            lost = b == -1;
        } catch (IOException e) {
            lost = true;
        }
    }

    private static boolean usable(List<String> events) {
        return usable.computeIfAbsent(events, tried -> {
            try {
                return run(List.of("perf", "stat", "-x,", "-e", String.join(",", tried), "--", "true")) == 0;
            } catch (IOException e) {
                return false;
            }
        });
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
