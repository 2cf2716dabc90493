package dev.parley.transport.tcp;

import dev.parley.frame.FrameDecoder;
import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest.Peer;
import dev.parley.transport.TransportConformanceTest.Server;
import dev.parley.transport.TransportOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.parley.transport.TransportConformanceTest.AWAIT;
import static dev.parley.transport.TransportConformanceTest.awaitTrue;
import static dev.parley.transport.TransportConformanceTest.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What only TCP can show: the bytes on the wire. A raw {@link Socket} plays a peer that breaks
 * the framing, goes quiet or floods the listener; the transport must cut that peer off and keep
 * serving everyone else.
 *
 * <p>And which threads read: by default a daemon platform thread for a connection this process
 * opened and a virtual thread for one a listener accepted, each side changeable with
 * {@link TcpTransport#withReaderThreads}, virtual past the limit of platform readers; every
 * reader, of either kind, ends with its connection. The handler's methods run on the reader, so
 * they observe it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpTransportTest {

    private static final TransportOptions OPTIONS = TransportOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(2))
            .closeTimeout(Duration.ofSeconds(3))
            .build();

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable resource : resources.reversed()) {
            resource.close();
        }
    }

    @Test
    void isFoundByItsName() {
        assertThat(Transport.byName("TCP", OPTIONS)).isInstanceOf(TcpTransport.class)
                .extracting(Transport::options).isEqualTo(OPTIONS);
        assertThat(Transport.names()).contains("tcp", "memory");
    }

    @Test
    void givesUpConnectingAfterTheConnectTimeoutWhenThePeerDoesNotAnswer() throws Exception {
        var connectTimeout = Duration.ofMillis(300);
        var transport = TcpTransport.create(OPTIONS.toBuilder().connectTimeout(connectTimeout).build());
        // A server socket that never accepts: once its backlog is full, the kernel ignores new SYNs.
        var silent = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        resources.add(silent);
        boolean backlogFull = false;
        for (int i = 0; i < 10 && !backlogFull; i++) {
            var filler = new Socket();
            resources.add(filler);
            try {
                filler.connect(silent.getLocalSocketAddress(), (int) connectTimeout.toMillis());
            } catch (SocketTimeoutException e) {
                backlogFull = true;
            }
        }
        assumeTrue(backlogFull, "this kernel answers connections past the backlog");
        long start = System.nanoTime();

        assertThatThrownBy(() -> transport.connect(silent.getLocalSocketAddress(), new Peer()))
                .isInstanceOf(SocketTimeoutException.class)
                .hasMessageContaining(connectTimeout.toString());

        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isBetween(connectTimeout, connectTimeout.plus(AWAIT));
    }

    @ParameterizedTest(name = "announcing {0} bytes")
    @ValueSource(longs = {(1 << 20) + 1, Integer.MAX_VALUE, 0xFFFF_FFFFL})
    void cutsOffAPeerThatAnnouncesAnOversizedFrameAndKeepsServingOthers(long announced) throws Exception {
        var transport = TcpTransport.create(OPTIONS);
        var server = Server.echoing();
        var listener = listen(transport, server);
        var wellBehaved = new Peer();
        Connection connection = connect(transport, listener, wellBehaved);
        server.next();
        Socket raw = rawConnect(listener);
        Peer rawServerSide = server.next();

        raw.getOutputStream().write(header((int) announced));

        ConnectionClosedException cause = rawServerSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(cause).hasMessageContaining(String.valueOf(announced));
        assertThat(cause.getMessage()).doesNotContain("TLS");
        assertThat(rawServerSide.framesBeforeClose).isZero();
        assertThatThrownBy(() -> raw.getInputStream().read()).isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
        connection.send(text("still served"));
        assertThat(wellBehaved.take(1)).containsExactly(text("still served"));
        awaitTrue("the listener counts only the well-behaved connection", () -> listener.connectionCount() == 1);
    }

    @Test
    void saysSoWhenThePeerSpeaksTls() throws Exception {
        var transport = TcpTransport.create(OPTIONS);
        var server = new Server();
        var listener = listen(transport, server);
        Socket raw = rawConnect(listener);
        Peer serverSide = server.next();

        // The start of a TLS 1.2/1.3 ClientHello record: content type 22, version 3.1, length 244.
        raw.getOutputStream().write(new byte[]{22, 3, 1, 0, (byte) 244, 1, 0, 0, (byte) 240});

        ConnectionClosedException cause = serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(cause).hasMessageContaining("look like TLS");
    }

    /**
     * Frames that arrive whole in one read reach a handler that takes them where they lie in the
     * read buffer, uncopied (a frame that arrives in pieces is gathered into an array of its own,
     * as the handlers of every other test take them).
     */
    @Test
    void handsFramesThatArriveWholeToTheHandlerWhereTheyLieInTheReadBuffer() throws Exception {
        record Slice(byte[] buffer, int offset, byte[] bytes) {
        }
        var slices = new ConcurrentLinkedQueue<Slice>();
        ConnectionHandler inPlace = new ConnectionHandler() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                throw new AssertionError("a frame that arrived whole was copied");
            }

            @Override
            public void onFrame(Connection connection, byte[] buffer, int offset, int length) {
                slices.add(new Slice(buffer, offset, Arrays.copyOfRange(buffer, offset, offset + length)));
            }
        };
        Socket raw = rawConnect(listen(TcpTransport.create(OPTIONS), inPlace));
        ByteBuffer three = ByteBuffer.allocate(3 * FrameDecoder.HEADER_BYTES + 15)
                .put(frame(text("one"))).put(frame(text("three"))).put(frame(text("seven!!")));

        raw.getOutputStream().write(three.array()); // one segment on loopback, so one read
        awaitTrue("three frames", () -> slices.size() == 3);

        List<Slice> received = List.copyOf(slices);
        assertThat(received).extracting(Slice::bytes).containsExactly(text("one"), text("three"), text("seven!!"));
        assertThat(received).extracting(Slice::offset).containsExactly(4, 11, 20);
        assertThat(received).extracting(Slice::buffer).allSatisfy(buffer -> assertThat(buffer).isSameAs(received.getFirst().buffer()));
    }

    @ParameterizedTest(name = "cut after {0} bytes of the second frame")
    @ValueSource(ints = {1, 3, 4, 50})
    void treatsAStreamThatEndsInTheMiddleOfAFrameAsAReset(int cut) throws Exception {
        var transport = TcpTransport.create(OPTIONS);
        var server = new Server();
        var listener = listen(transport, server);
        Socket raw = rawConnect(listener);
        Peer serverSide = server.next();

        raw.getOutputStream().write(frame(text("whole")));
        raw.getOutputStream().write(Arrays.copyOf(frame(new byte[100]), cut));
        raw.shutdownOutput();

        assertThat(serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.RESET_BY_PEER);
        assertThat(serverSide.take(1)).containsExactly(text("whole"));
        assertThat(serverSide.framesBeforeClose).isEqualTo(1);
    }

    @Test
    void refusesALongFrameWhileStalledPeersHoldTheListenersBudgetAndServesShortFramesMeanwhile() throws Exception {
        int longest = 64 * 1024;
        var transport = TcpTransport.create(OPTIONS.toBuilder().maxFrameLength(longest)
                .maxUnfinishedFrameBytes(2L * longest).build());
        var server = Server.echoing();
        var listener = listen(transport, server);
        // Two peers announce the longest frame, send a little of it and stall: the budget is spent.
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Socket raw = rawConnect(listener);
            raw.getOutputStream().write(concat(header(longest), new byte[100]));
            stalled.add(raw);
        }

        // Refused only once the server has read both stalled prefixes, so tried until then.
        awaitTrue("a frame one byte past the allowance is refused", () -> !echoes(transport, listener, 16 * 1024 + 1));
        // The client sees a reset; the server's side says why (its onClose may run just after).
        awaitTrue("the server closed the refused connection as overloaded", () -> server.accepted.stream()
                .anyMatch(side -> side.closed.isDone() && side.closed.join().reason() == Reason.OVERLOADED));
        assertThat(server.accepted).map(side -> side.closed.getNow(null)).filteredOn(cause -> cause != null
                        && cause.reason() == Reason.OVERLOADED).first()
                .satisfies(cause -> assertThat(cause).hasMessageContaining("no room for a frame of 16385 bytes"));
        assertThat(echoes(transport, listener, 16 * 1024)).as("a frame within the allowance needs no room").isTrue();

        // Once a stalled peer is gone, its room is free again for a long frame.
        stalled.getFirst().close();
        awaitTrue("a long frame fits again", () -> echoes(transport, listener, longest));
    }

    /** True if a fresh connection gets a frame of {@code length} bytes echoed; false if it is reset instead. */
    private boolean echoes(Transport transport, Listener listener, int length) {
        var outcome = new CompletableFuture<Boolean>();
        try {
            connect(transport, listener, new ConnectionHandler() {
                @Override
                public void onFrame(Connection connection, byte[] frame) {
                    outcome.complete(frame.length == length);
                }

                @Override
                public void onClose(Connection connection, ConnectionClosedException cause) {
                    outcome.complete(false);
                }
            }).send(new byte[length]);
            return outcome.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            return false;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closesAPeerThatNeitherReadsNorSendsAtTheIdleTimeoutEvenWhileASendWaitsForIt() throws Exception {
        var idleTimeout = Duration.ofMillis(500);
        var transport = TcpTransport.create(OPTIONS.toBuilder().idleTimeout(idleTimeout)
                .keepAliveInterval(Duration.ofMillis(100)).build());
        var server = new Server();
        var listener = listen(transport, server);
        long began = System.nanoTime(); // the server's idle clock starts when it accepts
        rawConnect(listener); // reads nothing, sends nothing
        Peer serverSide = server.next();
        Connection connection = serverSide.opened.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);

        // Sends until one waits for room that never comes (socket buffers and queue full).
        var sending = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 100_000; i++) {
                    connection.send(new byte[64 * 1024]);
                }
            } catch (IOException closed) {
                // The idle timeout ended the connection under the waiting send.
            }
        });

        ConnectionClosedException cause = serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.reason()).isEqualTo(Reason.IDLE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(idleTimeout);
        sending.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@code ConnectionHandler} lets a handler block. While it does, the reader reads nothing, so
     * what the peer sent meanwhile (keepalives at least) waits in the socket: the idle clock must
     * look at what arrived, not at how long the handler took.
     */
    @Test
    void keepsAConnectionOpenWhoseHandlerBlocksPastTheIdleTimeoutWhileThePeerKeepsTalking() throws Exception {
        var idleTimeout = Duration.ofMillis(1_500);
        var transport = TcpTransport.create(OPTIONS.toBuilder().idleTimeout(idleTimeout)
                .keepAliveInterval(Duration.ofMillis(100)).build());
        var server = new Server() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                if (Arrays.equals(frame, text("take your time"))) {
                    // A handler busy for longer than the idle timeout: the duration is what is tested.
                    long busyUntil = System.nanoTime() + idleTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(300);
                    while (System.nanoTime() < busyUntil) {
                        LockSupport.parkNanos(busyUntil - System.nanoTime());
                    }
                }
                super.onFrame(connection, frame);
            }
        };
        var listener = listen(transport, server);
        Connection client = connect(transport, listener, new Peer());
        client.send(text("take your time"));
        Peer serverSide = server.next();
        assertThat(serverSide.take(1)).containsExactly(text("take your time"));

        client.send(text("still here"));

        assertThat(serverSide.take(1)).containsExactly(text("still here"));
        assertThat(serverSide.closed).isNotDone();
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void neverDeliversKeepalivesToTheHandler() throws Exception {
        var transport = TcpTransport.create(OPTIONS.toBuilder().keepAliveInterval(Duration.ofMillis(20)).build());
        var server = new Server();
        var listener = listen(transport, server);
        Connection client = connect(transport, listener, new Peer());
        Connection serverSide = server.next().opened.get();
        Socket raw = rawConnect(listener);
        Peer rawServerSide = server.next();

        awaitTrue("five keepalives reached the server",
                () -> serverSide.stats().details().get("keepAlivesReceived") >= 5);
        raw.getOutputStream().write(concat(header(0), header(0), header(0), frame(text("after keepalives"))));

        assertThat(rawServerSide.take(1)).containsExactly(text("after keepalives"));
        Connection rawConnection = rawServerSide.opened.get();
        assertThat(rawConnection.stats().framesReceived()).isEqualTo(1);
        assertThat(rawConnection.stats().details()).containsEntry("keepAlivesReceived", 3L);
        assertThat(serverSide.stats().framesReceived()).isZero();
        assertThat(client.stats().framesSent()).isZero();
        assertThat(client.stats().details().get("keepAlivesSent")).isPositive();
    }

    @Test
    void closingGracefullyWritesTheQueuedFramesThenEndsTheStream() throws Exception {
        var transport = TcpTransport.create(OPTIONS);
        var server = new Server();
        var listener = listen(transport, server);
        Socket raw = rawConnect(listener);
        Connection serverSide = server.next().opened.get();

        serverSide.send(text("one"));
        serverSide.send(text("two"));
        serverSide.close();

        InputStream in = raw.getInputStream();
        assertThat(in.readNBytes(2 * FrameDecoder.HEADER_BYTES + 6)).isEqualTo(concat(frame(text("one")), frame(text("two"))));
        assertThat(in.read()).as("end of stream").isEqualTo(-1);
        raw.shutdownOutput();
        assertThat(serverSide.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.CLOSED_LOCALLY);
    }

    @Test
    void refusesAFloodOfConnectionsPastTheCapQuicklyAndKeepsServingTheOthers() throws Exception {
        int cap = 4;
        var transport = TcpTransport.create(OPTIONS.toBuilder().maxConnections(cap).build());
        var server = Server.echoing();
        var listener = listen(transport, server);
        List<Peer> admitted = new ArrayList<>();
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            var peer = new Peer();
            admitted.add(peer);
            connections.add(connect(transport, listener, peer));
            server.next();
        }

        long start = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            assertRefused(listener.localAddress());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(elapsed).isLessThan(Duration.ofSeconds(5));
        assertThat(server.accepted).isEmpty();
        assertThat(listener.connectionCount()).isEqualTo(cap);
        for (int i = 0; i < cap; i++) {
            connections.get(i).send(text("still served " + i));
            assertThat(admitted.get(i).take(1)).containsExactly(text("still served " + i));
        }
    }

    /** Connects a raw socket and expects the listener to reset it before it can be used. */
    private static void assertRefused(SocketAddress address) throws IOException {
        try (var socket = new Socket()) {
            socket.setSoTimeout((int) AWAIT.toMillis());
            try {
                socket.connect(address, (int) AWAIT.toMillis());
            } catch (SocketException resetWhileConnecting) {
                return;
            }
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void buffersGrowForAOneMebibyteFrameAndShrinkBackWhenTheFlowStops() throws Exception {
        // Idle buffers shrink at a keepalive a second after they were last needed: keepalives come often here.
        var transport = TcpTransport.create(OPTIONS.toBuilder().keepAliveInterval(Duration.ofMillis(50)).build());
        var server = Server.echoing();
        var listener = listen(transport, server);
        var clientSide = new Peer();
        Connection client = connect(transport, listener, clientSide);
        Connection serverSide = server.next().opened.get();
        assertThat(bufferBytes(client)).isEqualTo(TcpConnection.IDLE_BUFFER_BYTES);

        byte[] big = new byte[1 << 20];
        Arrays.fill(big, (byte) 7);
        client.send(big);

        assertThat(clientSide.take(1).getFirst()).isEqualTo(big);
        awaitTrue("both ends hold idle-sized buffers again",
                () -> bufferBytes(client) == TcpConnection.IDLE_BUFFER_BYTES
                        && bufferBytes(serverSide) == TcpConnection.IDLE_BUFFER_BYTES);
        client.send(text("small after big"));
        assertThat(clientSide.take(1)).containsExactly(text("small after big"));
    }

    private static long bufferBytes(Connection connection) {
        return connection.stats().details().get("bufferBytes");
    }

    private Listener listen(Transport transport, ConnectionHandler handler) throws IOException {
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), handler);
        resources.add(listener);
        return listener;
    }

    private Connection connect(Transport transport, Listener listener, ConnectionHandler handler) throws IOException {
        Connection connection = transport.connect(listener.localAddress(), handler);
        resources.add(connection);
        return connection;
    }

    private Socket rawConnect(Listener listener) throws IOException {
        var socket = new Socket();
        resources.add(socket);
        socket.setSoTimeout((int) AWAIT.toMillis());
        socket.connect(listener.localAddress());
        return socket;
    }

    /** The four bytes of a length prefix, written raw so a hostile peer's lengths can be forged too. */
    private static byte[] header(int length) {
        return ByteBuffer.allocate(FrameDecoder.HEADER_BYTES).putInt(length).array();
    }

    private static byte[] frame(byte[] payload) {
        return concat(header(payload.length), payload);
    }

    private static byte[] concat(byte[]... parts) {
        var out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    @Test
    void readsBothSidesOnDaemonPlatformThreadsByDefault() throws Exception {
        assertThat((TcpTransport) Transport.byName("tcp", OPTIONS))
                .extracting(TcpTransport::connectedReaders, TcpTransport::acceptedReaders)
                .containsExactly(ReaderThreads.PLATFORM, ReaderThreads.PLATFORM);

        Pair pair = openPair(TcpTransport.create(OPTIONS));

        Thread clientReader = pair.client.reader();
        assertThat(clientReader.isVirtual()).as("the connected side's reader is virtual").isFalse();
        assertThat(clientReader.isDaemon()).as("a platform reader is a daemon").isTrue();
        assertThat(clientReader.getName()).startsWith("parley-tcp-reader-")
                .endsWith("-127.0.0.1:" + ((InetSocketAddress) pair.listener.localAddress()).getPort());
        Thread serverReader = pair.server.reader();
        assertThat(serverReader.isVirtual()).as("the accepted side's reader is virtual").isFalse();
        assertThat(serverReader.getName()).startsWith("parley-tcp-reader-").endsWith(
                "-127.0.0.1:" + ((InetSocketAddress) pair.connection.localAddress()).getPort());
    }

    @ParameterizedTest(name = "connected {0}, accepted {1}")
    @CsvSource({"VIRTUAL, VIRTUAL", "VIRTUAL, PLATFORM", "PLATFORM, PLATFORM", "PLATFORM, VIRTUAL"})
    void readsAndDeliversEachSideOnTheKindOfThreadChosen(ReaderThreads connected, ReaderThreads accepted)
            throws Exception {
        Pair pair = openPair(TcpTransport.create(OPTIONS).withReaderThreads(connected, accepted));

        pair.connection.send(text("ping"));

        assertThat(pair.client.echoed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(text("ping"));
        assertThat(pair.client.reader().isVirtual()).isEqualTo(connected == ReaderThreads.VIRTUAL);
        assertThat(pair.server.reader().isVirtual()).isEqualTo(accepted == ReaderThreads.VIRTUAL);
        assertThat(pair.client.frameThread.get()).as("the client's frame came on its reader").isSameAs(pair.client.reader());
        assertThat(pair.server.frameThread.get()).as("the server's frame came on its reader").isSameAs(pair.server.reader());
    }

    /** How a test ends a connection from the client's side. */
    enum Ending {
        CLIENT_CLOSES {
            @Override
            void end(Pair pair) {
                pair.connection.close();
            }
        },
        CLIENT_ABORTS {
            @Override
            void end(Pair pair) {
                pair.connection.abort(new IOException("the test aborts"));
            }
        },
        LISTENER_CLOSES {
            @Override
            void end(Pair pair) {
                pair.listener.close();
            }
        };

        abstract void end(Pair pair);
    }

    @ParameterizedTest
    @EnumSource(Ending.class)
    void platformReadersEndWithTheirConnection(Ending ending) throws Exception {
        var transport = TcpTransport.create(OPTIONS).withReaderThreads(ReaderThreads.PLATFORM, ReaderThreads.PLATFORM);
        Pair pair = openPair(transport);
        Thread clientReader = pair.client.reader();
        Thread serverReader = pair.server.reader();

        ending.end(pair);

        pair.client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        pair.server.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(clientReader.join(AWAIT)).as("the client's reader ended").isTrue();
        assertThat(serverReader.join(AWAIT)).as("the server's reader ended").isTrue();
    }

    @Test
    void readsOnVirtualThreadsPastTheLimitOfPlatformReadersAndOnPlatformThreadsOnceBelowItAgain() throws Exception {
        var transport = TcpTransport.create(OPTIONS).withReaderThreads(ReaderThreads.PLATFORM, ReaderThreads.PLATFORM);
        var readers = new ConcurrentLinkedQueue<Thread>();
        ConnectionHandler recordingEcho = new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                readers.add(Thread.currentThread());
            }

            @Override
            public void onFrame(Connection connection, byte[] frame) {
                try {
                    connection.send(frame);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), recordingEcho);
        resources.add(listener);
        int connections = ReaderThreads.MAX_PLATFORM_READERS / 2 + 10;
        var clients = new ArrayList<Connection>();
        for (int i = 0; i < connections; i++) {
            Connection client = transport.connect(listener.localAddress(), recordingEcho);
            resources.add(client);
            clients.add(client);
        }
        awaitTrue("every connection's two readers started", () -> readers.size() == 2 * connections);

        // More readers than the limit: those past it (and past any other test's still ending) are virtual.
        long platform = readers.stream().filter(thread -> !thread.isVirtual()).count();
        assertThat(platform).as("platform readers of %d", readers.size())
                .isBetween(1L, (long) ReaderThreads.MAX_PLATFORM_READERS);
        var last = new ThreadRecorder(false);
        Connection lastClient = transport.connect(listener.localAddress(), last);
        resources.add(lastClient);
        lastClient.send(text("served past the limit"));
        assertThat(last.echoed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(text("served past the limit"));

        clients.forEach(Connection::close);
        lastClient.close();
        for (Thread reader : readers) {
            assertThat(reader.join(AWAIT)).as("%s ended", reader.getName()).isTrue();
        }
        assertThat(openPair(transport).client.reader().isVirtual()).as("a platform reader once below the limit").isFalse();
    }

    /** A connected client and the server's side of it, with the handlers that saw their threads. */
    private record Pair(Listener listener, Connection connection, ThreadRecorder client, ThreadRecorder server) {
    }

    private Pair openPair(TcpTransport transport) throws Exception {
        var server = new ThreadRecorder(true);
        Listener listener = transport.listen(new InetSocketAddress("127.0.0.1", 0), server);
        resources.add(listener);
        var client = new ThreadRecorder(false);
        Connection connection = transport.connect(listener.localAddress(), client);
        resources.add(connection);
        server.reader();
        return new Pair(listener, connection, client, server);
    }

    /**
     * Records the threads that call it, for the first connection it serves; echoes frames if asked
     * to. Called on a connection's reader; read by the test thread.
     */
    private static final class ThreadRecorder implements ConnectionHandler {
        final CompletableFuture<Thread> openThread = new CompletableFuture<>();
        final CompletableFuture<Thread> frameThread = new CompletableFuture<>();
        final CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        final CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();
        private final boolean echo;

        ThreadRecorder(boolean echo) {
            this.echo = echo;
        }

        /** The thread that ran {@code onOpen}, waiting for it at most {@link #AWAIT}. */
        Thread reader() throws Exception {
            return openThread.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onOpen(Connection connection) {
            openThread.complete(Thread.currentThread());
        }

        @Override
        public void onFrame(Connection connection, byte[] frame) {
            frameThread.complete(Thread.currentThread());
            if (!echo) {
                echoed.complete(frame);
                return;
            }
            try {
                connection.send(frame);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void onClose(Connection connection, ConnectionClosedException cause) {
            closed.complete(cause);
        }
    }
}
