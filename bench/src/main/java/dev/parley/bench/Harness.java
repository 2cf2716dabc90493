package dev.parley.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs the latency and throughput measurements on a started {@link Contender}: a warm-up, then a
 * timed phase, each bounded by its duration. Latency uses one client with one outstanding call;
 * throughput uses platform threads, one per client, each repeating {@link Contender.Client#pipeline}
 * in batches. Called on one thread; blocks until done.
 */
final class Harness {

    /** Messages per {@link Contender.Client#pipeline} call. */
    static final int BATCH = 1_000;

    private static final int MAX_SAMPLES = 4_000_000;

    private final Duration warmUp;
    private final Duration measure;

    Harness(Duration warmUp, Duration measure) {
        this.warmUp = warmUp;
        this.measure = measure;
    }

    /** Round trips of one client, one at a time. */
    Latency latency(Contender contender) throws Exception {
        try (Contender.Client client = contender.connect()) {
            runFor(warmUp, client::roundTrip);
            long[] samples = new long[MAX_SAMPLES];
            int count = 0;
            long end = System.nanoTime() + measure.toNanos();
            while (count < MAX_SAMPLES && System.nanoTime() < end) {
                long start = System.nanoTime();
                client.roundTrip();
                samples[count++] = System.nanoTime() - start;
            }
            return Latency.of(contender.name(), samples, count);
        }
    }

    /**
     * Messages per second of {@code clients} clients pipelining at once, with what each message
     * cost the process in CPU time, wake-ups, allocations and system calls ({@link PerMessage}).
     */
    Throughput throughput(Contender contender, int clients) throws Exception {
        List<Contender.Client> open = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        try {
            for (int i = 0; i < clients; i++) {
                open.add(contender.connect());
            }
            try (SyscallCounter syscalls = SyscallCounter.start()) {
                inParallel(threads, open, warmUp);
                syscalls.enable();
                ProcessCounters.Snapshot before = ProcessCounters.take();
                long cpuBefore = processCpuNanos();
                long start = System.nanoTime();
                long messages = inParallel(threads, open, measure);
                long elapsed = System.nanoTime() - start;
                long cpu = processCpuNanos() - cpuBefore;
                ProcessCounters.Snapshot after = ProcessCounters.take();
                syscalls.disable();
                return new Throughput(contender.name(), clients, messages, messages * 1e9 / elapsed,
                        (double) cpu / messages, ProcessCounters.between(before, after, syscalls.count(), messages));
            }
        } finally {
            threads.shutdownNow();
            for (Contender.Client client : open) {
                client.close();
            }
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(contender.name() + ": client threads still running after 10 s");
            }
        }
    }

    private static long inParallel(ExecutorService threads, List<Contender.Client> clients, Duration duration)
            throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        List<Future<Long>> counts = new ArrayList<>();
        for (Contender.Client client : clients) {
            Callable<Long> pipelining = () -> {
                long sent = 0;
                do {
                    client.pipeline(BATCH);
                    sent += BATCH;
                } while (System.nanoTime() < end);
                return sent;
            };
            counts.add(threads.submit(pipelining));
        }
        long total = 0;
        for (Future<Long> count : counts) {
            total += count.get(duration.toSeconds() + 60, TimeUnit.SECONDS);
        }
        return total;
    }

    private static void runFor(Duration duration, Step step) throws Exception {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            step.run();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** One measured operation. */
    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
