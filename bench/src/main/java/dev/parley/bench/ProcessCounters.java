package dev.parley.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Snapshots of the counters behind {@link PerMessage}, taken before and after a timed phase on
 * the benchmark thread.
 *
 * <p><b>Wake-ups</b> are the context switches of the process's threads: Linux counts them per
 * thread ({@code voluntary_ctxt_switches} and {@code nonvoluntary_ctxt_switches} in
 * {@code /proc/self/task/TID/status}); a voluntary switch is a thread that blocked (in a park, a
 * read, a poll) and so needs a wake-up to run again. A snapshot keeps each thread's sum by thread
 * id; the difference adds, for every thread alive at the end, its count minus its count at the
 * start (0 for a thread born meanwhile). A thread that ended during the phase took its count with
 * it: it is left out and counted in {@link PerMessage#threadsExited}, so that an under-count is
 * visible. In the throughput phases the clients' threads and connections are opened before the
 * first snapshot, so what ends meanwhile is only a pool thread that went idle.
 *
 * <p><b>Allocations</b> are {@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes},
 * which includes threads that ended; a virtual thread's allocations are its carriers'.
 */
final class ProcessCounters {

    private static final Path TASKS = Path.of("/proc/self/task");

    /** The counters at one moment; {@code switchesByThread} is empty where {@code /proc} is not. */
    record Snapshot(Map<String, Long> switchesByThread, long allocatedBytes) {
    }

    private ProcessCounters() {
    }

    static Snapshot take() {
        return new Snapshot(switchesByThread(), allocatedBytes());
    }

    /** What {@code messages} messages cost between two snapshots, with {@code syscalls} counted meanwhile (or NaN). */
    static PerMessage between(Snapshot before, Snapshot after, double syscalls, long messages) {
        double wakeUps = Double.NaN;
        int exited = 0;
        if (!after.switchesByThread().isEmpty()) {
            long switches = 0;
            for (var thread : after.switchesByThread().entrySet()) {
                switches += thread.getValue() - before.switchesByThread().getOrDefault(thread.getKey(), 0L);
            }
            for (String thread : before.switchesByThread().keySet()) {
                if (!after.switchesByThread().containsKey(thread)) {
                    exited++;
                }
            }
            wakeUps = (double) switches / messages;
        }
        double allocated = before.allocatedBytes() < 0 || after.allocatedBytes() < 0
                ? Double.NaN : (double) (after.allocatedBytes() - before.allocatedBytes()) / messages;
        return new PerMessage(wakeUps, allocated, syscalls / messages, exited);
    }

    private static Map<String, Long> switchesByThread() {
        Map<String, Long> switches = new HashMap<>();
        if (!Files.isDirectory(TASKS)) {
            return switches;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
            for (Path task : tasks) {
                try {
                    switches.put(task.getFileName().toString(), contextSwitches(task.resolve("status")));
                } catch (IOException e) {
                    // The thread ended between the listing and the read: as if it had not been listed.
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return switches;
    }

    private static long contextSwitches(Path status) throws IOException {
        long sum = 0;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return sum;
    }

    private static long allocatedBytes() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()
                ? threads.getTotalThreadAllocatedBytes() : -1;
    }
}
