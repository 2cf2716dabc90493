package dev.parley.transport.udp;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportConformanceTest;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.internal.PacketCodec;
import dev.parley.transport.udp.internal.ResetCode;
import dev.parley.transport.udp.internal.TransportParameters;
import dev.parley.transport.udp.internal.UdpListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.parley.transport.TransportConformanceTest.AWAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(60)
class UdpTransportTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    private final TransportOptions options = TransportOptions.defaults().toBuilder()
            .connectTimeout(Duration.ofSeconds(3))
            .closeTimeout(Duration.ofSeconds(3))
            .build();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable r : resources.reversed()) {
            r.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    void isFoundByItsName() {
        assertThat(Transport.byName("udp")).isInstanceOf(UdpTransport.class);
        assertThat(Transport.names()).contains("udp");
    }

    /**
     * A connection used to join the listener's set before its session existed, so a close()
     * racing an accept threw a NullPointerException out of close() before the sockets and timers
     * were released. Many rounds of closing while clients keep connecting.
     */
    @Test
    void closingWhileClientsKeepConnectingNeverThrowsAndReleasesThePort() throws Exception {
        var transport = UdpTransport.create(options);
        InetSocketAddress address = freeAddressNoEphemeralBindCanTake();
        for (int round = 0; round < 60; round++) {
            Listener listener = transport.listen(address, RecordingHandler.recording());
            var connected = new java.util.concurrent.CopyOnWriteArrayList<Connection>();
            var stop = new java.util.concurrent.atomic.AtomicBoolean();
            try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 4; i++) {
                    clients.submit(() -> {
                        while (!stop.get()) {
                            try {
                                connected.add(transport.connect(address, RecordingHandler.recording()));
                            } catch (java.io.IOException refusedOrClosed) {
                                return;
                            }
                        }
                    });
                }
                TransportConformanceTest.awaitTrue("a client connected", () -> !connected.isEmpty());
                try {
                    listener.close();
                } finally {
                    stop.set(true);
                }
            } finally {
                connected.forEach(c -> c.abort(new java.io.IOException("the round is over")));
            }
            try (var rebind = DatagramChannel.open()) {
                rebind.bind(address);
            }
        }
    }

    /**
     * A free loopback UDP address whose port lies below the kernel's ephemeral range: a socket
     * bound to port 0 (a client's in this test, or any in another process) is never handed it, so
     * when it cannot be bound after a listener let it go, the listener still holds it.
     */
    private static InetSocketAddress freeAddressNoEphemeralBindCanTake() throws IOException {
        int ephemeralFloor = 32_768;
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        if (Files.isReadable(range)) {
            // As lines: Files.readString gave only the first byte of this /proc file here.
            ephemeralFloor = Integer.parseInt(Files.readAllLines(range).getFirst().strip().split("\\s+")[0]);
        }
        int lowest = 10_000;
        int span = ephemeralFloor - lowest;
        assumeTrue(span > 0, "the ephemeral ports start at " + ephemeralFloor + ", below " + lowest);
        int start = new Random().nextInt(span);
        for (int i = 0; i < span; i++) {
            var candidate = new InetSocketAddress("127.0.0.1", lowest + (start + i) % span);
            try (var probe = DatagramChannel.open()) {
                probe.bind(candidate);
                return candidate;
            } catch (BindException taken) {
                // Someone's: try the next.
            }
        }
        throw new IOException("no free UDP port from " + lowest + " to " + (ephemeralFloor - 1));
    }

    @Test
    void deliversFramesInOrderOverLoopback() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));

        for (int i = 0; i < 2_000; i++) {
            client.send(frame(i, 1 + i % 700));
        }

        for (int i = 0; i < 2_000; i++) {
            assertThat(server.awaitFrame()).as("frame %d", i).isEqualTo(frame(i, 1 + i % 700));
        }
        assertThat(server.callingThreads).allMatch(Thread::isVirtual);
    }

    @Test
    void spreadsItsClientsOverSeveralReceiveSocketsOnOnePort() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "SO_REUSEPORT spreads datagrams only on Linux");
        var transport = UdpTransport.create(options, UdpOptions.defaults().toBuilder().receiveSockets(4).build());
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        int port = ((InetSocketAddress) listener.localAddress()).getPort();

        for (int i = 0; i < 16; i++) {
            closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording())).send(frame(i, 10));
        }
        List<byte[]> received = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            received.add(server.awaitFrame());
        }

        assertThat(received).hasSize(16);
        assertThat(threadNames("parley-udp-receive-" + port + "-")).hasSize(4);
        // The kernel picks a socket by the client's port: sixteen clients all on one of four
        // sockets would happen once in 4^15 runs.
        assertThat(threadNames("parley-udp-timer-" + port + "-")).hasSizeGreaterThan(1);
    }

    @Test
    void acceptsManyClientsHandshakingAtOnceOverEightReceiveSockets() throws Exception {
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "SO_REUSEPORT spreads datagrams only on Linux");
        var patient = options.toBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        var transport = UdpTransport.create(patient, UdpOptions.defaults().toBuilder().receiveSockets(8).build());
        Listener listener = closeLater(transport.listen(LOOPBACK, RecordingHandler.recording()));
        int clients = 400;

        // Every receive loop mints and checks cookies at the same time: a handshake state shared
        // by the loops (an HMAC is not thread-safe) forged and refused some of these cookies.
        var connecting = new ArrayList<Future<Connection>>();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                connecting.add(threads.submit(() -> transport.connect(listener.localAddress(), RecordingHandler.recording())));
            }
        }
        var failures = new ArrayList<Throwable>();
        for (Future<Connection> connection : connecting) {
            try {
                closeLater(connection.get());
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures).isEmpty();

        var stats = ((UdpListener) listener).stats();
        assertThat(stats.get("forgedCookies")).isZero();
        assertThat(stats.get("internalErrors")).isZero();
        assertThat(stats.get("retriesSent")).isGreaterThanOrEqualTo(clients);
        // The listener sends its accept before it counts the connection (on its receive loop), so a
        // client's connect may return first: the count is awaited, not read at once.
        TransportConformanceTest.awaitTrue("the listener counts " + clients + " connections",
                () -> listener.connectionCount() == clients);
    }

    private static List<String> threadNames(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix)).toList();
    }

    @Test
    void makesTheSenderWaitWhileThePeerDoesNotRead() throws Exception {
        var small = options.toBuilder().maxQueuedBytes(64 * 1024).maxFrameLength(16 * 1024).build();
        var tight = UdpOptions.defaults().toBuilder().receiveWindowBytes(32 * 1024).sendBufferBytes(64 * 1024).build();
        var transport = UdpTransport.create(small, tight);
        var server = RecordingHandler.stalled();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));

        int queued = 0;
        while (client.trySend(frame(queued, 1_000))) {
            queued++;
            assertThat(queued).as("trySend never refused: the buffering is unbounded").isLessThan(10_000);
        }
        assertThat(client.stats().queuedBytes()).isGreaterThan(0);
        server.release();

        for (int i = 0; i < queued; i++) {
            assertThat(server.awaitFrame()).as("frame %d", i).isEqualTo(frame(i, 1_000));
        }
    }

    @Test
    void abortIsSeenByThePeerAsAReset() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = transport.connect(listener.localAddress(), RecordingHandler.recording());
        client.send(new byte[]{1});
        server.awaitFrame();

        client.abort(new IllegalStateException("enough"));

        assertThat(client.closeFuture().get(10, TimeUnit.SECONDS).reason()).isEqualTo(Reason.ABORTED);
        assertThat(server.awaitClose().reason()).isEqualTo(Reason.RESET_BY_PEER);
        TransportConformanceTest.awaitTrue("the listener forgot the connection", () -> listener.connectionCount() == 0);
    }

    @Test
    void declaresAVanishedPeerUnresponsive() throws Exception {
        var quick = options.toBuilder().keepAliveInterval(Duration.ofMillis(100)).build();
        var udp = UdpOptions.defaults().toBuilder().maxProbeTimeouts(3).maxProbeInterval(Duration.ofMillis(200)).build();
        var transport = UdpTransport.create(quick, udp);
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        var relay = closeLater(new UdpRelay((InetSocketAddress) listener.localAddress()));
        var clientHandler = RecordingHandler.recording();
        Connection client = closeLater(transport.connect(relay.address(), clientHandler));
        client.send(new byte[]{1});
        server.awaitFrame();

        relay.blackhole();

        ConnectionClosedException cause = clientHandler.awaitClose();
        assertThat(cause.reason()).isEqualTo(Reason.PEER_UNRESPONSIVE);
        assertThat(cause.getMessage()).contains("probe timeouts");
        assertThat(server.awaitClose().reason()).isEqualTo(Reason.PEER_UNRESPONSIVE);
    }

    @Test
    void ignoresAndCountsGarbageWhileServing() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.echoing();
        var listener = (UdpListener) closeLater(transport.listen(LOOPBACK, server));
        Connection before = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));
        var random = new Random(42);
        try (DatagramChannel attacker = DatagramChannel.open().bind(LOOPBACK)) {
            for (int i = 0; i < 300; i++) {
                byte[] garbage = new byte[1 + random.nextInt(1400)];
                random.nextBytes(garbage);
                if (i % 3 == 0 && garbage.length > 30) {
                    garbage[0] = PacketCodec.VERSION;
                }
                attacker.send(ByteBuffer.wrap(garbage), listener.localAddress());
            }
            attacker.send(ByteBuffer.wrap(PacketCodec.refused(123, 0)), listener.localAddress());
        }
        var handler = RecordingHandler.recording();
        Connection after = closeLater(transport.connect(listener.localAddress(), handler));

        after.send(new byte[]{9, 9});

        assertThat(handler.awaitFrame()).containsExactly(9, 9);
        // With several receive sockets the kernel may hand the attacker's datagrams to another
        // socket's loop than the client's: that loop may still be counting them once the echo is
        // back, so the counts are awaited, not read at once.
        TransportConformanceTest.awaitTrue("the listener counts every datagram the attacker sent", () -> {
            var counted = listener.stats();
            return counted.get("checksumFailures") + counted.get("malformedPackets") >= 300
                    && counted.get("unknownConnection") >= 1;
        });
        var stats = listener.stats();
        assertThat(stats.get("checksumFailures") + stats.get("malformedPackets")).isGreaterThanOrEqualTo(300);
        assertThat(stats.get("unknownConnection")).isEqualTo(1);
        assertThat(stats.get("internalErrors")).isZero();
        assertThat(before.isOpen()).isTrue();
        assertThat(listener.connectionCount()).isEqualTo(2);
    }

    @Test
    void ignoresAResetForItsConnectionFromAnotherAddress() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.echoing();
        var listener = (UdpListener) closeLater(transport.listen(LOOPBACK, server));
        var relay = closeLater(new UdpRelay((InetSocketAddress) listener.localAddress()));
        var clientHandler = RecordingHandler.recording();
        Connection client = closeLater(transport.connect(relay.address(), clientHandler));
        client.send(new byte[]{1});
        assertThat(clientHandler.awaitFrame()).containsExactly(1);

        var writer = new PacketCodec.Writer(1200);
        try (DatagramChannel attacker = DatagramChannel.open().bind(LOOPBACK)) {
            for (long pn = 0; pn < 64; pn++) {
                writer.begin(relay.serverConnectionId(), pn);
                writer.reset(ResetCode.TIMED_OUT);
                attacker.send(ByteBuffer.wrap(writer.buffer(), 0, writer.finish()), listener.localAddress());
            }
        }
        client.send(new byte[]{2});

        assertThat(clientHandler.awaitFrame()).as("the connection still echoes").containsExactly(2);
        // The attacker's resets may reach another receive socket's loop than the relay's packets,
        // one that may not have counted them all when the echo is back: awaited, not read at once.
        TransportConformanceTest.awaitTrue("the listener counts the 64 resets from the wrong address",
                () -> listener.stats().get("wrongAddress") >= 64);
        assertThat(listener.stats().get("wrongAddress")).isEqualTo(64);
        assertThat(client.isOpen()).isTrue();
    }

    @Test
    void aFloodOfHandshakesAllocatesNoConnection() throws Exception {
        var transport = UdpTransport.create(options);
        var listener = (UdpListener) closeLater(transport.listen(LOOPBACK, RecordingHandler.recording()));
        var replies = new ArrayList<DatagramChannel>();
        try {
            for (int port = 0; port < 50; port++) {
                DatagramChannel source = DatagramChannel.open().bind(LOOPBACK);
                replies.add(source);
                for (int i = 0; i < 10; i++) {
                    byte[] initial = PacketCodec.initial(i, port * 100L + i + 1,
                            new TransportParameters(64, 5_000, 60_000), i % 2 == 0 ? new byte[0] : new byte[24]);
                    source.send(ByteBuffer.wrap(initial), listener.localAddress());
                }
            }
            var check = RecordingHandler.recording();
            closeLater(transport.connect(listener.localAddress(), check));
        } finally {
            for (DatagramChannel c : replies) {
                c.close();
            }
        }

        // The flood's sources may be spread over other receive sockets' loops than the check's,
        // which may still be answering them once the check has connected: awaited, not read at once.
        TransportConformanceTest.awaitTrue("the listener answers or refuses every INITIAL of the flood", () -> {
            var counted = listener.stats();
            return counted.get("retriesSent") >= 250 && counted.get("forgedCookies") >= 250;
        });
        var stats = listener.stats();
        assertThat(stats.get("retriesSent")).isGreaterThanOrEqualTo(250);
        assertThat(stats.get("forgedCookies")).isEqualTo(250);
        assertThat(stats.get("sessions")).isEqualTo(1);
    }

    @Test
    void refusesConnectionsBeyondTheLimit() throws Exception {
        var transport = UdpTransport.create(options.toBuilder().maxConnections(1).build());
        Listener listener = closeLater(transport.listen(LOOPBACK, RecordingHandler.recording()));
        closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));

        assertThatThrownBy(() -> transport.connect(listener.localAddress(), RecordingHandler.recording()))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining("refused");
    }

    @Test
    void sendsUnreliableFramesThatFitOnePacket() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));

        assertThat(client.sendUnreliable(new byte[]{4, 2})).isTrue();

        assertThat(server.awaitFrame()).containsExactly(4, 2);
        assertThatThrownBy(() -> client.sendUnreliable(new byte[UdpOptions.defaults().loopbackPacketSize()]))
                .isInstanceOf(FrameTooLongException.class);
    }

    @Test
    void listenerCloseShutsDownItsConnectionsWithinTheCloseTimeout() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.recording();
        Listener listener = transport.listen(LOOPBACK, server);
        var clientHandler = RecordingHandler.recording();
        Connection client = closeLater(transport.connect(listener.localAddress(), clientHandler));
        client.send(new byte[]{1});
        server.awaitFrame();
        long started = System.nanoTime();

        listener.close();

        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(4_000);
        assertThat(server.awaitClose().reason()).isEqualTo(Reason.SHUTDOWN);
        assertThat(clientHandler.awaitClose().reason()).isEqualTo(Reason.CLOSED_BY_PEER);
    }

    @Test
    void reportsProtocolFiguresInItsStats() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.recording();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));
        client.send(new byte[]{1, 2, 3});
        server.awaitFrame();

        var stats = client.stats();

        assertThat(stats.framesSent()).isEqualTo(1);
        assertThat(stats.details()).containsKeys("srttMicros", "rttvarMicros", "cwndBytes", "bytesInFlight",
                "packetsSent", "packetsReceived", "packetsLost", "packetsRetransmitted", "duplicates",
                "checksumFailures");
    }

    @Test
    void eachEndAllowsForThePeersMaxAckDelayAsTheHandshakeToldIt() throws Exception {
        var patientServer = UdpTransport.create(options, UdpOptions.defaults().toBuilder().maxAckDelay(Duration.ofMillis(40)).build());
        var eagerClient = UdpTransport.create(options, UdpOptions.defaults().toBuilder().maxAckDelay(Duration.ofMillis(2)).build());
        var server = RecordingHandler.recording();
        Listener listener = closeLater(patientServer.listen(LOOPBACK, server));
        Connection client = closeLater(eagerClient.connect(listener.localAddress(), RecordingHandler.recording()));
        Connection serverSide = server.opened.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS);

        assertThat(client.stats().details()).containsEntry("peerMaxAckDelayMicros", 40_000L);
        assertThat(serverSide).isNotNull();
        assertThat(serverSide.stats().details()).containsEntry("peerMaxAckDelayMicros", 2_000L);
    }

    /**
     * Each side's idle timeout counts the other side's keepalives, and nothing else agrees the two:
     * a client that closes after 3 s of silence, against a server on the default 15 s keepalive,
     * took the quiet server for dead. The handshake now tells the server the client's idle timeout,
     * and the server keeps alive often enough for it.
     */
    @Test
    void keepsAlivePeersWhoseIdleTimeoutIsShorterThanItsKeepaliveInterval() throws Exception {
        var server = RecordingHandler.recording();
        Listener listener = closeLater(UdpTransport.create(options).listen(LOOPBACK, server));
        var impatient = options.toBuilder().idleTimeout(Duration.ofSeconds(3)).keepAliveInterval(Duration.ZERO).build();
        Connection client = closeLater(UdpTransport.create(impatient).connect(listener.localAddress(),
                RecordingHandler.recording()));
        Connection serverSide = server.opened.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        long heardAtOpen = client.stats().details().get("packetsReceived");

        assertThat(options.keepAliveInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(serverSide).isNotNull();
        assertThat(serverSide.stats().details()).containsEntry("keepAliveMillis", 1_000L);
        // The client sends nothing that needs an answer, so all it hears are the server's keepalives;
        // four of them, a second apart, span more than its idle timeout.
        TransportConformanceTest.awaitTrue("four keepalives reached the client, or it closed", () -> !client.isOpen()
                || client.stats().details().get("packetsReceived") >= heardAtOpen + 4);
        assertThat(client.isOpen()).as("closed: %s", client.closeFuture().getNow(null)).isTrue();
    }

    @Test
    void countsEveryFrameWaitingForTheHandlerThoseOfABatchIncluded() throws Exception {
        var transport = UdpTransport.create(options);
        var server = RecordingHandler.stalled();
        Listener listener = closeLater(transport.listen(LOOPBACK, server));
        Connection client = closeLater(transport.connect(listener.localAddress(), RecordingHandler.recording()));
        Connection serverSide = server.awaitOpen();
        client.send(frame(0, 10));
        TransportConformanceTest.awaitTrue("the handler is stalled in onFrame", () -> server.callingThreads.size() == 2);

        for (int i = 1; i <= 20; i++) {
            client.send(frame(i, 10));
        }

        TransportConformanceTest.awaitTrue("20 frames wait in the inbox",
                () -> serverSide.stats().details().get("inboxFrames") == 20);
        server.release();
        for (int i = 0; i <= 20; i++) {
            assertThat(server.awaitFrame()).as("frame %d", i).isEqualTo(frame(i, 10));
        }
    }

    static byte[] frame(int index, int size) {
        byte[] frame = new byte[size];
        for (int j = 0; j < size; j++) {
            frame[j] = (byte) (index * 31 + j * 7);
        }
        return frame;
    }
}
