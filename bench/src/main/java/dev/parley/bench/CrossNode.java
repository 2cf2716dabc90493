package dev.parley.bench;

import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.im.Invitation;
import dev.parley.im.Message;
import dev.parley.server.ImServer;
import dev.parley.server.ServerOptions;
import dev.parley.server.store.RedisProcess;
import dev.parley.server.store.RedisStore;
import dev.parley.server.store.StoreOptions;
import dev.parley.transport.Transport;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Part of {@code parley bench --only stores}: send→delivery between IM clients on different server
 * nodes that share one Redis, which fsyncs its append-only file before it answers ({@code appendfsync
 * always}) or once a second ({@code everysec}; see OPERATIONS.md for what each keeps). 1, 2 and 3
 * {@link ImServer} nodes run in this JVM, each with its own {@link RedisStore} and node id; a
 * sender client on the first node sends to {@value #CONVERSATIONS} conversations in turn at
 * {@value Stores#PACED_RATE} messages a second, and a receiver client on the last node (the same
 * one with 1 node) records, for each message, the time from the send to its delivery: store, feed,
 * the other node's fan-out and both TCP hops. Runs on the calling thread; the receiver's listener records on its client's thread.
 */
final class CrossNode {

    static final int CONVERSATIONS = 10;
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    /** The values of Redis's {@code appendfsync} measured, in this order. */
    static final List<String> APPEND_FSYNC = List.of("always", "everysec");

    /** One row: Redis's {@code appendfsync}, nodes, messages measured, and send→delivery at the paced rate. */
    record Row(String appendFsync, int nodes, int messages, double p50Millis, double p99Millis) {
    }

    private CrossNode() {
    }

    /**
     * One row for each of {@link #APPEND_FSYNC} and 1, 2 and 3 nodes, each on a Redis of its own;
     * none without {@code redis-server}.
     */
    static List<Row> run(Duration warmUp, Duration measure, PrintStream progress) throws Exception {
        List<Row> rows = new ArrayList<>();
        if (RedisProcess.find() == null) {
            progress.println("cross-node: no rows: " + RedisProcess.HOW_TO_INSTALL);
            return rows;
        }
        for (String appendFsync : APPEND_FSYNC) {
            for (int nodes = 1; nodes <= 3; nodes++) {
                try (RedisProcess redis = RedisProcess.start()) {
                    redis.configure("appendfsync", appendFsync);
                    Row row = measure(redis, appendFsync, nodes, warmUp, measure);
                    progress.printf(Locale.ROOT, "cross-node: appendfsync %s, %d node(s), %,d messages at %,d msg/s: "
                            + "send->delivery p50 %.2f ms, p99 %.2f ms%n", appendFsync, nodes, row.messages(),
                            Stores.PACED_RATE, row.p50Millis(), row.p99Millis());
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    private static Row measure(RedisProcess redis, String appendFsync, int count, Duration warmUp, Duration measure)
            throws Exception {
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            Transport tcp = Transport.byName("tcp");
            List<ImServer> nodes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                var store = RedisStore.open(redis.address(), StoreOptions.defaults());
                opened.add(store::close);
                var options = ServerOptions.builder().messagesPerSecond(0).onlineBroadcastPeriod(Duration.ZERO)
                        .nodeId("node" + i).build();
                ImServer node = ImServer.start(tcp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        options, store);
                opened.add(node);
                nodes.add(node);
            }
            int measured = (int) (Stores.PACED_RATE * measure.toMillis() / 1000);
            var receiver = new Receiver(measured);
            var seesReceiver = new CompletableFuture<Void>();
            ImClient to = ImClient.connect(tcp, nodes.getLast().localAddress(), receiver);
            opened.add(to);
            ImClient from = ImClient.connect(tcp, nodes.getFirst().localAddress(), new ImListener() {
                @Override
                public void onOnlineUsers(Map<String, String> users) {
                    if (users.containsKey("receiver")) {
                        seesReceiver.complete(null);
                    }
                }

                @Override
                public void onOnlineUsersChanged(Map<String, String> online, Set<String> offline) {
                    onOnlineUsers(online);
                }
            });
            opened.add(from);
            to.register("receiver", "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            from.register("sender", "online").get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            seesReceiver.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            long[] conversations = new long[CONVERSATIONS];
            for (int i = 0; i < CONVERSATIONS; i++) {
                from.invite("receiver");
                conversations[i] = receiver.invitations.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS).conversationId();
                to.join(conversations[i]);
            }
            to.list().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

            send(from, conversations, "w", (int) (Stores.PACED_RATE * warmUp.toMillis() / 1000));
            send(from, conversations, "m", measured);
            receiver.arrivals.awaitAtLeast(measured);
            long[] latencies = receiver.latencies.clone();
            Arrays.sort(latencies);
            return new Row(appendFsync, count, measured, Stores.percentile(latencies, 0.50) / 1e6, Stores.percentile(latencies, 0.99) / 1e6);
        } finally {
            for (AutoCloseable closeable : opened.reversed()) {
                closeable.close();
            }
        }
    }

    /**
     * Sends {@code messages} at {@link Stores#PACED_RATE} a second, each text {@code PHASE SENTNANOS};
     * fails if a send is refused.
     */
    private static void send(ImClient from, long[] conversations, String phase, int messages) throws Exception {
        long interval = TimeUnit.SECONDS.toNanos(1) / Stores.PACED_RATE;
        var refused = new AtomicLong();
        List<CompletableFuture<Long>> sends = new ArrayList<>(messages);
        long next = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += interval;
            sends.add(from.send(conversations[i % conversations.length], phase + " " + System.nanoTime())
                    .whenComplete((sequence, failure) -> {
                        if (failure != null) {
                            refused.incrementAndGet();
                        }
                    }));
        }
        try {
            CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(refused.get() + " of " + messages + " sends refused, the first: "
                    + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("sends not acknowledged within " + PATIENCE, e);
        }
    }

    /** The rows as a Markdown table. */
    static String markdown(List<Row> rows) {
        var out = new StringBuilder("### IM on Redis: send→delivery from a client on the first node to one on the last\n\n")
                .append("A sender on the first node, a receiver on the last (the same node with 1), " + CONVERSATIONS
                        + " conversations, " + String.format(Locale.ROOT, "%,d", Stores.PACED_RATE)
                        + " messages/s; each node an `ImServer` with its own `RedisStore`, one Redis with its"
                        + " `appendfsync` as given.\n\n")
                .append("| appendfsync | nodes | messages | p50 ms | p99 ms |\n")
                .append("|---|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append(String.format(Locale.ROOT, "| %s | %d | %,d | %.2f | %.2f |%n", row.appendFsync(), row.nodes(),
                    row.messages(), row.p50Millis(), row.p99Millis()));
        }
        return out.toString();
    }

    /** The receiving client's listener: takes invitations, and records each measured message's send→delivery. */
    private static final class Receiver implements ImListener {
        final BlockingQueue<Invitation> invitations = new LinkedBlockingQueue<>();
        final Arrivals arrivals = new Arrivals();
        final long[] latencies;
        private int recorded;

        Receiver(int measured) {
            latencies = new long[measured];
        }

        @Override
        public void onInvitation(Invitation invitation) {
            invitations.add(invitation);
        }

        /** On the client's one event thread, so {@link #recorded} needs no lock; {@link #arrivals} publishes the array. */
        @Override
        public void onMessage(Message message) {
            long now = System.nanoTime();
            String text = message.text();
            if (text.startsWith("m ") && recorded < latencies.length) {
                latencies[recorded++] = now - Long.parseLong(text.substring(2));
                arrivals.arrived();
            }
        }
    }
}
