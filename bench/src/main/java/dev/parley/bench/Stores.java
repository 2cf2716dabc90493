package dev.parley.bench;

import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.RedisProcess;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * {@code parley bench --only stores}: how many messages a second each {@link ChatStore} accepts
 * (an append's stage completing means durable), and how long an append waits for that at a steady
 * {@value #PACED_RATE} messages a second: in memory, in SQLite, and in one Redis
 * ({@code redis-server} started here with {@code appendfsync always}) shared by 1, 2 and 3 store
 * instances standing for server nodes. Each node appends from its own thread to
 * {@value #CONVERSATIONS} conversations in turn, keeping {@value #WINDOW} appends outstanding for
 * the throughput figure. Runs on the calling thread and one thread per node.
 */
final class Stores {

    static final int CONVERSATIONS = 100;
    static final int WINDOW = 2_000;
    static final int PACED_RATE = 5_000;

    /** One row: a store, its nodes, messages accepted a second, and append-to-durable at the paced rate. */
    record Row(String store, int nodes, double acceptedPerSecond, double p50Millis, double p99Millis) {
    }

    /** A way to open a store that the nodes of one row share. */
    @FunctionalInterface
    private interface Opener {
        ChatStore open() throws Exception;
    }

    private Stores() {
    }

    /** Every row, each measured for {@code measure} after {@code warmUp}. */
    static List<Row> run(Duration warmUp, Duration measure, PrintStream progress) throws Exception {
        List<Row> rows = new ArrayList<>();
        StoreOptions options = StoreOptions.defaults();
        rows.add(measure("memory", 1, () -> MemoryStore.create(options), warmUp, measure, progress));
        Path data = Files.createTempDirectory("parley-bench-sqlite");
        try {
            rows.add(measure("sqlite", 1, () -> SqliteStore.open(data, options), warmUp, measure, progress));
        } finally {
            delete(data);
        }
        if (RedisProcess.find() == null) {
            progress.println("stores: no redis rows: " + RedisProcess.HOW_TO_INSTALL);
            return rows;
        }
        for (int nodes = 1; nodes <= 3; nodes++) {
            try (RedisProcess redis = RedisProcess.start()) {
                rows.add(measure("redis (appendfsync always)", nodes, () -> RedisStore.open(redis.address(), options),
                        warmUp, measure, progress));
            }
        }
        return rows;
    }

    private static Row measure(String name, int nodes, Opener opener, Duration warmUp, Duration measure,
                               PrintStream progress) throws Exception {
        List<ChatStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                stores.add(opener.open());
            }
            long[] conversations = new long[CONVERSATIONS];
            for (int i = 0; i < CONVERSATIONS; i++) {
                conversations[i] = stores.getFirst().create("user0", List.of());
            }
            double perSecond = throughput(stores, conversations, warmUp, measure);
            long[] latencies = paced(stores, conversations, measure);
            Arrays.sort(latencies);
            var row = new Row(name, nodes, perSecond, percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6);
            progress.printf(Locale.ROOT, "stores: %s, %d node(s): %,.0f msg/s accepted; at %,d msg/s p50 %.2f ms, p99 %.2f ms%n",
                    name, nodes, perSecond, PACED_RATE, row.p50Millis(), row.p99Millis());
            return row;
        } finally {
            stores.forEach(ChatStore::close);
        }
    }

    /** Every node keeps {@link #WINDOW} appends outstanding; messages accepted a second over {@code measure}. */
    private static double throughput(List<ChatStore> stores, long[] conversations, Duration warmUp, Duration measure)
            throws InterruptedException {
        var accepted = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmUp.toNanos();
        long end = measureFrom + measure.toNanos();
        List<Thread> nodes = new ArrayList<>();
        for (int n = 0; n < stores.size(); n++) {
            ChatStore store = stores.get(n);
            String sender = "node" + n;
            nodes.add(Thread.ofPlatform().name("bench-" + sender).start(() -> {
                var window = new Semaphore(WINDOW);
                long i = 0;
                // Bounded by the end of the measurement.
                while (System.nanoTime() < end) {
                    window.acquireUninterruptibly();
                    long issued = ++i;
                    store.append(conversations[(int) (issued % conversations.length)], sender, issued, "message " + issued)
                            .whenComplete((appended, failure) -> {
                                long now = System.nanoTime();
                                if (failure == null && now >= measureFrom && now < end) {
                                    accepted.incrementAndGet();
                                }
                                window.release();
                            });
                }
                window.acquireUninterruptibly(WINDOW);
            }));
        }
        for (Thread node : nodes) {
            node.join();
        }
        return accepted.get() / (measure.toNanos() / 1e9);
    }

    /** Appends at {@link #PACED_RATE} a second over all nodes for {@code measure}; each one's nanoseconds to durable. */
    private static long[] paced(List<ChatStore> stores, long[] conversations, Duration measure) throws Exception {
        int perNode = (int) (PACED_RATE * measure.toMillis() / 1000 / stores.size());
        long interval = TimeUnit.SECONDS.toNanos(1) * stores.size() / PACED_RATE;
        long[] latencies = new long[perNode * stores.size()];
        List<CompletableFuture<Void>> all = new ArrayList<>();
        List<Thread> nodes = new ArrayList<>();
        for (int n = 0; n < stores.size(); n++) {
            ChatStore store = stores.get(n);
            String sender = "paced" + n;
            int offset = n * perNode;
            nodes.add(Thread.ofPlatform().name("bench-" + sender).start(() -> {
                long next = System.nanoTime();
                for (int i = 0; i < perNode; i++) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += interval;
                    long sent = System.nanoTime();
                    int slot = offset + i;
                    var done = store.append(conversations[i % conversations.length], sender, i + 1, "paced " + i)
                            .thenAccept(appended -> latencies[slot] = System.nanoTime() - sent).toCompletableFuture();
                    synchronized (all) {
                        all.add(done);
                    }
                }
            }));
        }
        for (Thread node : nodes) {
            node.join();
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        return latencies;
    }

    /** The value at {@code fraction} (0.99: the 99th percentile) of {@code sorted}; 0 if it is empty. */
    static double percentile(long[] sorted, double fraction) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * fraction))];
    }

    /** The rows as a Markdown table. */
    static String markdown(List<Row> rows) {
        var out = new StringBuilder("### Stores: messages accepted (durable) per second, and append-to-durable latency\n\n")
                .append("Each node is one store instance appending from its own thread to " + CONVERSATIONS
                        + " conversations, " + WINDOW + " appends outstanding per node; latency at a steady "
                        + String.format(Locale.ROOT, "%,d", PACED_RATE) + " messages/s over all nodes.\n\n")
                .append("| store | nodes | accepted msg/s | p50 ms | p99 ms |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %.2f |%n", row.store(), row.nodes(),
                    row.acceptedPerSecond(), row.p50Millis(), row.p99Millis()));
        }
        return out.toString();
    }

    /** Deletes {@code directory} and everything in it. */
    static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
