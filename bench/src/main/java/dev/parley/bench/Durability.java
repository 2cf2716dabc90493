package dev.parley.bench;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.codec.Codec;
import dev.parley.im.Error;
import dev.parley.im.ImClient;
import dev.parley.im.ImEvent;
import dev.parley.im.ImListener;
import dev.parley.im.ImProtocol;
import dev.parley.im.Invitation;
import dev.parley.im.Join;
import dev.parley.im.Message;
import dev.parley.im.OnlineUsers;
import dev.parley.im.Register;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.MemoryStore;
import dev.parley.server.store.SqliteStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code parley bench --only durability}: what keeping every message costs the IM server, the
 * in-memory store and SQLite (WAL, {@code synchronous=FULL}, group commit) measured in the same run,
 * over TCP on loopback, each server in this JVM with a store of its own, in turn for a number of
 * rounds (each figure is the median):
 * <ul>
 *   <li>fan-out to {@value FanOut#MEMBERS} members ({@link FanOut}), deliveries a second;</li>
 *   <li>send→acknowledgement (the sender's own copy, sent once the message is durable) at a steady
 *       {@value #PACED_RATE} messages a second, one sender in a conversation of two;</li>
 *   <li>{@code fsync} and {@code fdatasync} calls per accepted message in each of those two phases
 *       ({@link SyscallCounter}: n/a without {@code perf});</li>
 *   <li>resume: a member whose connection dropped misses {@value #MISSED} messages, then connects
 *       and registers again naming the last one it had; the time from connecting to holding the
 *       last one missed.</li>
 * </ul>
 * Runs on the calling thread; servers and clients use their own.
 */
final class Durability {

    static final int PACED_RATE = 1_000;
    static final int MISSED = 10_000;
    /** Sends the resume phase keeps unacknowledged while it fills the history. */
    private static final int SEND_WINDOW = 500;
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String[] FSYNCS = {"fsync", "fdatasync"};

    /** One store's figures. */
    record Row(String store, double fanOutPerSecond, double fanOutFsyncsPerMessage, double ackP50Millis,
               double ackP99Millis, double pacedFsyncsPerMessage, double resumeMillis) {
    }

    /** A fresh store for one server, which the server closes. */
    @FunctionalInterface
    private interface Opener {
        ChatStore open() throws Exception;
    }

    private Durability() {
    }

    /**
     * The in-memory row, then the SQLite row (on a temporary directory, deleted after): each figure
     * the median over {@code rounds}, the two stores measured in turn within each round.
     */
    static List<Row> run(int rounds, Duration warmUp, Duration measure, PrintStream progress) throws Exception {
        StoreOptions options = StoreOptions.defaults();
        List<Row> memory = new ArrayList<>();
        List<Row> sqlite = new ArrayList<>();
        Path data = Files.createTempDirectory("parley-bench-durability");
        try {
            int[] opened = {0};
            for (int round = 1; round <= rounds; round++) {
                memory.add(measure("memory", () -> MemoryStore.create(options), warmUp, measure, progress));
                sqlite.add(measure("sqlite", () -> SqliteStore.open(data.resolve("server" + ++opened[0]), options),
                        warmUp, measure, progress));
            }
        } finally {
            Stores.delete(data);
        }
        return List.of(median(memory), median(sqlite));
    }

    private static Row median(List<Row> rounds) {
        return new Row(rounds.getFirst().store(), Medians.of(rounds, Row::fanOutPerSecond),
                Medians.of(rounds, Row::fanOutFsyncsPerMessage), Medians.of(rounds, Row::ackP50Millis),
                Medians.of(rounds, Row::ackP99Millis), Medians.of(rounds, Row::pacedFsyncsPerMessage),
                Medians.of(rounds, Row::resumeMillis));
    }

    private static Row measure(String name, Opener opener, Duration warmUp, Duration measure, PrintStream progress)
            throws Exception {
        FanOut.Result fanOut;
        double fanOutFsyncs;
        try (SyscallCounter fsyncs = SyscallCounter.start(FSYNCS)) {
            fanOut = FanOut.run("tcp", opener.open(), fsyncs, warmUp, measure);
            fanOutFsyncs = fsyncs.count() / fanOut.messages();
        }
        progress.printf(Locale.ROOT, "durability: %s: fan-out %,.0f deliveries/s, %.3f fsyncs/message%n",
                name, fanOut.perSecond(), fanOutFsyncs);
        Paced paced = paced(opener.open(), measure);
        progress.printf(Locale.ROOT, "durability: %s: at %,d msg/s send->ack p50 %.2f ms, p99 %.2f ms, %.3f fsyncs/message%n",
                name, PACED_RATE, paced.p50Millis, paced.p99Millis, paced.fsyncsPerMessage);
        double resume = resume(opener.open());
        progress.printf(Locale.ROOT, "durability: %s: resume of %,d missed messages in %.0f ms%n", name, MISSED, resume);
        return new Row(name, fanOut.perSecond(), fanOutFsyncs, paced.p50Millis, paced.p99Millis,
                paced.fsyncsPerMessage, resume);
    }

    private record Paced(double p50Millis, double p99Millis, double fsyncsPerMessage) {
    }

    /** Alice sends to Bob at {@link #PACED_RATE} a second for {@code measure}; each send's time to its acknowledgement. */
    private static Paced paced(ChatStore store, Duration measure) throws Exception {
        int messages = (int) (PACED_RATE * measure.toMillis() / 1000);
        long interval = TimeUnit.SECONDS.toNanos(1) / PACED_RATE;
        long[] latencies = new long[messages];
        List<CompletableFuture<Void>> acknowledged = new ArrayList<>(messages);
        try (ImServer server = start(store);
             ImClient alice = ImClient.connect(Transport.byName("tcp"), server.localAddress(), new ImListener() { });
             RawClient bob = RawClient.connect(server);
             SyscallCounter fsyncs = SyscallCounter.start(FSYNCS)) {
            long conversation = converse(alice, bob);
            fsyncs.enable();
            long next = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                LockSupport.parkNanos(next - System.nanoTime());
                next += interval;
                long sent = System.nanoTime();
                int slot = i;
                acknowledged.add(alice.send(conversation, "paced " + i)
                        .thenAccept(sequence -> latencies[slot] = System.nanoTime() - sent));
            }
            CompletableFuture.allOf(acknowledged.toArray(CompletableFuture[]::new))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            fsyncs.disable();
            Arrays.sort(latencies);
            return new Paced(Stores.percentile(latencies, 0.50) / 1e6, Stores.percentile(latencies, 0.99) / 1e6,
                    fsyncs.count() / messages);
        }
    }

    /**
     * Bob's connection drops (no goodbye, so the server keeps his place) after message 1; Alice sends
     * {@link #MISSED} more; milliseconds from Bob connecting again to holding the last of them.
     */
    private static double resume(ChatStore store) throws Exception {
        try (ImServer server = start(store);
             ImClient alice = ImClient.connect(Transport.byName("tcp"), server.localAddress(), new ImListener() { })) {
            long conversation;
            try (RawClient bob = RawClient.connect(server)) {
                conversation = converse(alice, bob);
                alice.send(conversation, "before the drop").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                bob.await(Message.class);
            }
            var window = new Semaphore(SEND_WINDOW);
            for (int i = 0; i < MISSED; i++) {
                window.acquire();
                alice.send(conversation, "missed " + i).whenComplete((sequence, failure) -> window.release());
            }
            if (!window.tryAcquire(SEND_WINDOW, PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new TimeoutException("the " + MISSED + " messages were not all acknowledged within " + PATIENCE);
            }
            long last = MISSED + 1;
            long start = System.nanoTime();
            try (RawClient back = RawClient.connect(server)) {
                back.peer.send(new Register("bob", "online", "", ImProtocol.VERSION, Map.of(conversation, 1L)));
                long expected = 2;
                while (expected <= last) {
                    long sequence = back.await(Message.class).sequence();
                    if (sequence != expected) {
                        throw new IllegalStateException("resume sent message " + sequence + " where " + expected
                                + " was due");
                    }
                    expected++;
                }
                return (System.nanoTime() - start) / 1e6;
            }
        }
    }

    private static ImServer start(ChatStore store) throws IOException {
        // No rate limit: the sender's pace is the benchmark's.
        return ImServer.start(Transport.byName("tcp"), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ServerOptions.builder().messagesPerSecond(0).build(), store);
    }

    /**
     * A client speaking the IM records directly, so that its connection can drop without a goodbye;
     * what it receives is queued on its delivery thread and taken by the benchmark's.
     */
    private record RawClient(Peer peer, BlockingQueue<ImEvent> events) implements AutoCloseable {

        static RawClient connect(ImServer server) throws IOException {
            var events = new LinkedBlockingQueue<ImEvent>();
            Peer peer = Endpoint.builder(Codec.defaults())
                    .on(ImEvent.class, (from, event) -> events.add(event))
                    .build()
                    .connect(Transport.byName("tcp"), server.localAddress());
            return new RawClient(peer, events);
        }

        /** The next event of {@code type}, skipping others; an {@link Error} ends the benchmark with its text. */
        <T extends ImEvent> T await(Class<T> type) throws Exception {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (true) {
                ImEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new TimeoutException("no " + type.getSimpleName() + " within " + PATIENCE);
                }
                if (type.isInstance(event)) {
                    return type.cast(event);
                }
                if (event instanceof Error error) {
                    throw new IllegalStateException("the server refused: " + error);
                }
            }
        }

        @Override
        public void close() {
            peer.close();
        }
    }

    /** Registers Alice and Bob, Alice invites Bob, Bob joins; the conversation's id once Bob is in. */
    private static long converse(ImClient alice, RawClient bob) throws Exception {
        alice.register("alice", "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        bob.peer.send(new Register("bob", "online"));
        bob.await(OnlineUsers.class);
        alice.invite("bob");
        long conversation = bob.await(Invitation.class).conversationId();
        bob.peer.send(new Join(conversation));
        // Joins carry no answer: Bob is in once Alice's listing says so.
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!alice.list().get(PATIENCE.toSeconds(), TimeUnit.SECONDS)
                .getOrDefault(conversation, List.of()).contains("bob")) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("bob did not join within " + PATIENCE);
            }
        }
        return conversation;
    }

    /** The rows as Markdown, with the ratio of SQLite's fan-out to memory's. */
    static String markdown(List<Row> rows) {
        var out = new StringBuilder("### Durability: the IM server with each store (TCP, loopback)\n\n")
                .append("Medians over rounds. Fan-out to " + FanOut.MEMBERS + " members; send→acknowledgement at a steady "
                        + String.format(Locale.ROOT, "%,d", PACED_RATE) + " messages/s; fsync and fdatasync calls"
                        + " per accepted message in each; resume of a member who missed "
                        + String.format(Locale.ROOT, "%,d", MISSED) + " messages.\n\n")
                .append("| store | fan-out deliveries/s | fsyncs/msg | send→ack p50 ms | p99 ms | fsyncs/msg | resume ms |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %,.0f | %s | %.2f | %.2f | %s | %.0f |%n", row.store(),
                    row.fanOutPerSecond(), figure(row.fanOutFsyncsPerMessage()), row.ackP50Millis(),
                    row.ackP99Millis(), figure(row.pacedFsyncsPerMessage()), row.resumeMillis()));
        }
        if (rows.size() == 2) {
            out.append(String.format(Locale.ROOT, "%nSQLite's fan-out is %.2f× the in-memory store's.%n",
                    rows.get(1).fanOutPerSecond() / rows.get(0).fanOutPerSecond()));
        }
        return out.toString();
    }

    private static String figure(double value) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%.3f", value);
    }
}
