package dev.parley.bench;

import dev.parley.im.ImClient;
import dev.parley.im.ImListener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Scale: many idle registered users on one {@link ScaleServer} (an IM server in a JVM of its own,
 * because one process may not hold both ends of 10,000 TCP connections), and what each costs the
 * server. The server's heap (after a full GC) and resident memory are read before and after; the
 * difference over the number of clients is the cost per connection. Each client registers under a
 * name of its own and counts as connected once the server has answered with the online list, so
 * the server holds each one's whole state, user included; meanwhile every registered client is told
 * of the others coming online, in coalesced changes. The clients keep no list of who is online.
 * Memory is read twice: at once, and after the connections have been idle for {@link #IDLE_WAIT}
 * (a keepalive interval and a margin), when transports have shrunk the buffers that sending each
 * client the online list grew.
 * Runs on the calling thread, connecting on {@value #CONNECTORS} threads of its own.
 */
final class Scale {

    /** Threads that open connections at once. */
    static final int CONNECTORS = 8;
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Duration MEMORY_LIMIT = Duration.ofSeconds(120);
    private static final Duration ANSWER_LIMIT = Duration.ofSeconds(60);
    /** How long the registered clients are left idle before memory is read again. */
    static final Duration IDLE_WAIT = TransportOptions.defaults().keepAliveInterval().plusSeconds(5);
    private static final ImListener IGNORE_EVENTS = new ImListener() {
    };

    /**
     * One transport's figures.
     *
     * @param heapBytesPerClient           server heap after GC, with the clients idle minus before, per client
     * @param residentBytesPerClient       server resident set, with the clients idle minus before, per client
     * @param registeredHeapBytesPerClient as {@code heapBytesPerClient}, read as soon as every client was registered
     * @param connectNanos                 from the first connect until every client was registered
     */
    record Result(String transport, int clients, double heapBytesPerClient, double residentBytesPerClient,
                  double registeredHeapBytesPerClient, long connectNanos) {
    }

    private record Memory(long heap, long resident, int connections) {
    }

    private Scale() {
    }

    /** Connects and registers {@code clients} idle clients over {@code transportName} and measures the server. */
    static Result run(String transportName, int clients, PrintStream progress) throws Exception {
        Transport transport = Transport.byName(transportName);
        try (var server = ChildJvm.start(List.of(), ChildJvm.ownClassPath(),
                List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"), ScaleServer.class, List.of(transportName))) {
            int port = Integer.parseInt(server.await("listening", START_LIMIT)[0]);
            var address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            Memory before = memory(server);
            List<ImClient> open = new ArrayList<>(clients);
            try {
                long start = System.nanoTime();
                connect(transport, address, clients, open);
                long connectNanos = System.nanoTime() - start;
                progress.printf("scale %s: %,d clients connected and registered in %,d ms%n", transportName, clients,
                        TimeUnit.NANOSECONDS.toMillis(connectNanos));
                Memory registered = memory(server);
                Thread.sleep(IDLE_WAIT.toMillis()); // what is measured: connections left idle this long
                Memory idle = memory(server);
                if (idle.connections() != before.connections() + clients) {
                    throw new IOException("the server holds " + idle.connections() + " connections, expected "
                            + (before.connections() + clients));
                }
                return new Result(transportName, clients, (double) (idle.heap() - before.heap()) / clients,
                        (double) (idle.resident() - before.resident()) / clients,
                        (double) (registered.heap() - before.heap()) / clients, connectNanos);
            } finally {
                open.forEach(ImClient::close);
                server.endCommands();
                server.awaitSuccess(MEMORY_LIMIT);
            }
        }
    }

    /** Opens {@code clients} clients into {@code open}, each registered, on {@link #CONNECTORS} threads. */
    private static void connect(Transport transport, InetSocketAddress address, int clients, List<ImClient> open)
            throws Exception {
        ExecutorService connectors = Executors.newFixedThreadPool(CONNECTORS);
        try {
            List<Future<List<ImClient>>> shares = new ArrayList<>();
            int nextName = 0;
            for (int c = 0; c < CONNECTORS; c++) {
                int share = clients / CONNECTORS + (c < clients % CONNECTORS ? 1 : 0);
                int firstOfShare = nextName;
                shares.add(connectors.submit(() -> connectRegistered(transport, address, firstOfShare, share)));
                nextName += share;
            }
            Exception first = null;
            for (Future<List<ImClient>> share : shares) {
                try {
                    open.addAll(share.get());
                } catch (ExecutionException e) {
                    first = first == null ? e : first;
                }
            }
            if (first != null) {
                throw first;
            }
        } finally {
            connectors.shutdownNow();
        }
    }

    /**
     * Opens {@code count} clients one after another, registering them as {@code user<first>} onwards;
     * on failure closes them and throws.
     */
    private static List<ImClient> connectRegistered(Transport transport, InetSocketAddress address, int first,
                                                    int count) throws Exception {
        List<ImClient> opened = new ArrayList<>(count);
        try {
            for (int i = first; i < first + count; i++) {
                ImClient client = ImClient.connect(transport, address, IGNORE_EVENTS);
                opened.add(client);
                client.register("user" + i, "online").get(ANSWER_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
            return opened;
        } catch (Exception e) {
            opened.forEach(ImClient::close);
            throw e;
        }
    }

    private static Memory memory(ChildJvm server) throws IOException, InterruptedException {
        server.send("memory");
        String[] f = server.await("memory", MEMORY_LIMIT);
        return new Memory(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]));
    }
}
