package dev.parley.transport;

import dev.parley.transport.ConnectionClosedException.Reason;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The behaviour every {@link Transport} promises, written once and run against each one: a
 * transport module subclasses this class in its tests and says how to create its transport.
 *
 * <pre>{@code
 * class TcpTransportConformanceTest extends TransportConformanceTest {
 *     protected Transport transport(TransportOptions options) {
 *         return TcpTransport.create(options);
 *     }
 * }
 * }</pre>
 *
 * <p>Where transports legitimately differ there is a hook to override ({@link #bindAddress()},
 * {@link #detectsIdlePeers()}, {@link #options()}), or the test accepts each allowed outcome: a
 * connection past {@code maxConnections} may be refused by {@code connect} itself or, on a
 * transport without a handshake, reset right after it opens. Every wait is bounded by
 * {@link #AWAIT}, and each test by a timeout, so a broken transport fails the suite rather than
 * hanging it. Tests run one at a time, on the JUnit thread plus the threads they start.
 *
 * <p>The recording handlers {@link Peer} and {@link Server} and {@link #awaitTrue} are public for
 * a transport's own tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class TransportConformanceTest {

    /** The longest any single wait in this suite lasts before the test fails. */
    public static final Duration AWAIT = Duration.ofSeconds(10);

    /** Fifteen keepalive intervals: a shared CI machine may stall a process for a second without a failure here. */
    private static final Duration IDLE_TIMEOUT = Duration.ofMillis(1_500);
    private static final Duration KEEPALIVE_INTERVAL = Duration.ofMillis(100);

    private final List<Listener> listeners = Collections.synchronizedList(new ArrayList<>());
    private final List<Connection> connections = Collections.synchronizedList(new ArrayList<>());
    private final List<CountDownLatch> gates = Collections.synchronizedList(new ArrayList<>());

    /** The transport under test, configured with {@code options}. */
    protected abstract Transport transport(TransportOptions options);

    /** Where listeners bind; port 0. Default: the IPv4 or IPv6 loopback address, as the JVM prefers. */
    protected SocketAddress bindAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * Whether the transport notices a peer that has gone silent (idle timeout) and keeps a quiet
     * but healthy one alive (keepalives). Default true; an in-process transport, whose peer cannot
     * vanish, says false and skips those tests.
     */
    protected boolean detectsIdlePeers() {
        return true;
    }

    /**
     * The options most tests use: the defaults, with a small outbound queue so backpressure shows
     * quickly, short timeouts so the suite is fast, and keepalives flowing between frames.
     */
    protected TransportOptions options() {
        return TransportOptions.defaults().toBuilder()
                .maxQueuedBytes(64 * 1024)
                .connectTimeout(Duration.ofSeconds(2))
                .idleTimeout(Duration.ofSeconds(5))
                .keepAliveInterval(KEEPALIVE_INTERVAL)
                .closeTimeout(Duration.ofSeconds(3))
                .build();
    }

    @AfterEach
    final void releaseEverything() {
        gates.forEach(CountDownLatch::countDown);
        connections.forEach(c -> c.abort(new IOException("the test is over")));
        listeners.forEach(Listener::close);
    }

    @Test
    void runsOnOpenBeforeConnectReturns() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();

        Connection connection = connect(transport, listener, client);

        assertThat(client.opened).isCompletedWithValue(connection);
        assertThat(connection.isOpen()).isTrue();
        assertThat(connection.transportName()).isEqualTo(transport.name());
        assertThat(server.next().opened.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).remoteAddress())
                .isEqualTo(connection.localAddress());
    }

    @Test
    void deliversManyFramesOfRandomSizesInOrderAndIntactBothWays() throws Exception {
        long seed = System.nanoTime();
        var random = new Random(seed);
        var transport = transport(options());
        var listener = listen(transport, Server.echoing());
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] frame = new byte[1 + random.nextInt(random.nextInt(10) == 0 ? 64 * 1024 : 1024)];
            random.nextBytes(frame);
            sent.add(frame);
        }

        for (byte[] frame : sent) {
            connection.send(frame);
        }

        List<byte[]> echoed = client.take(sent.size());
        for (int i = 0; i < sent.size(); i++) {
            assertThat(echoed.get(i)).as("frame %d of seed %d", i, seed).isEqualTo(sent.get(i));
        }
        long bytes = sent.stream().mapToLong(f -> f.length).sum();
        // A transport may count a frame sent only once its write returns, on its writer thread, and
        // the echo can come back before that thread gets to count the last batch: awaited, not read.
        awaitTrue("every frame counted as sent", () -> connection.stats().framesSent() == sent.size());
        ConnectionStats stats = connection.stats();
        assertThat(stats.framesSent()).isEqualTo(sent.size());
        assertThat(stats.bytesSent()).isEqualTo(bytes);
        assertThat(stats.framesReceived()).isEqualTo(sent.size());
        assertThat(stats.bytesReceived()).isEqualTo(bytes);
    }

    @Test
    void deliversAFrameOfExactlyTheMaximumLength() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        byte[] largest = new byte[transport.options().maxFrameLength()];
        new Random(42).nextBytes(largest);

        connection.send(largest);

        assertThat(server.next().take(1).getFirst()).isEqualTo(largest);
    }

    @Test
    void givesEachLongFramesRoomInTheListenersBudgetBackOnceItIsWhole() throws Exception {
        // Room for one longest frame at a time: each must give its room back for the next to fit.
        int longest = 64 * 1024;
        var transport = transport(options().toBuilder().maxFrameLength(longest).maxUnfinishedFrameBytes(longest).build());
        var listener = listen(transport, Server.echoing());
        var clients = List.of(new Peer(), new Peer());
        List<Connection> connections = List.of(connect(transport, listener, clients.get(0)),
                connect(transport, listener, clients.get(1)));
        var random = new Random(7);

        for (int i = 0; i < 20; i++) {
            byte[] frame = new byte[longest];
            random.nextBytes(frame);
            connections.get(i % 2).send(frame);
            // One frame under way at a time: the next is sent once this one has come back.
            assertThat(clients.get(i % 2).take(1).getFirst()).isEqualTo(frame);
        }

        assertThat(connections).allMatch(Connection::isOpen);
    }

    @Test
    void refusesToSendAFrameLongerThanTheMaximumAndStaysUsable() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        byte[] tooLong = new byte[transport.options().maxFrameLength() + 1];

        assertThatThrownBy(() -> connection.send(tooLong)).isInstanceOf(FrameTooLongException.class)
                .hasMessageContaining(String.valueOf(tooLong.length));
        assertThatThrownBy(() -> connection.trySend(tooLong)).isInstanceOf(FrameTooLongException.class);
        connection.send(text("still usable"));

        assertThat(server.next().take(1)).containsExactly(text("still usable"));
        assertThat(connection.isOpen()).isTrue();
    }

    @Test
    void refusesAnEmptyFrameAndStaysUsable() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());

        // On a stream an empty frame could not be told from a keepalive.
        assertThatThrownBy(() -> connection.send(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> connection.trySend(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        connection.send(text("still usable"));

        assertThat(server.next().take(1)).containsExactly(text("still usable"));
    }

    @Test
    void servesAHundredConnectionsAtOnceEachWithItsOwnFrames() throws Exception {
        var transport = transport(options());
        var server = Server.echoing();
        var listener = listen(transport, server);
        List<Peer> clients = new ArrayList<>();
        List<Connection> open = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            var client = new Peer();
            clients.add(client);
            open.add(connect(transport, listener, client));
        }
        for (int i = 0; i < 100; i++) {
            server.next();
        }
        assertThat(listener.connectionCount()).isEqualTo(100);

        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sending = new ArrayList<>();
            for (int i = 0; i < open.size(); i++) {
                Connection connection = open.get(i);
                int client = i;
                sending.add(senders.submit(() -> {
                    for (int j = 0; j < 20; j++) {
                        connection.send(text("client " + client + " frame " + j));
                    }
                    return null;
                }));
            }
            for (Future<?> f : sending) {
                f.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        for (int i = 0; i < clients.size(); i++) {
            List<String> expected = new ArrayList<>();
            for (int j = 0; j < 20; j++) {
                expected.add("client " + i + " frame " + j);
            }
            assertThat(clients.get(i).take(20)).extracting(TransportConformanceTest::string)
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    void keepsEachThreadsOrderWhenManyThreadsSendOnOneConnection() throws Exception {
        assertEachThreadsOrderKept(8, 500, (connection, frame, seq) -> connection.send(frame));
    }

    @Test
    void keepsEachThreadsOrderWhenThreadsMixSendAndTrySendOfSmallAndLargeFrames() throws Exception {
        assertEachThreadsOrderKept(8, 300, (connection, frame, seq) -> {
            if (seq % 3 != 0 || !connection.trySend(frame)) {
                connection.send(frame);
            }
        });
    }

    /** How one thread hands its frame number {@code seq} to the connection. */
    @FunctionalInterface
    private interface NumberedSend {
        void send(Connection connection, byte[] frame, int seq) throws Exception;
    }

    /**
     * Sends {@code framesPerThread} frames from each of {@code threads} threads at once on one
     * connection, through {@code send}, and checks that the server got each thread's frames in
     * order. Every 50th frame is larger than a TCP write buffer, so it is never coalesced.
     */
    private void assertEachThreadsOrderKept(int threads, int framesPerThread, NumberedSend send) throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        var start = new CountDownLatch(1);

        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sending = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                sending.add(senders.submit(() -> {
                    start.await();
                    for (int seq = 0; seq < framesPerThread; seq++) {
                        int size = seq % 50 == 49 ? 96 * 1024 : 8 + seq % 200;
                        send.send(connection, ByteBuffer.allocate(size).putInt(thread).putInt(seq).array(), seq);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : sending) {
                f.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        int[] nextSeq = new int[threads];
        for (byte[] frame : server.next().take(threads * framesPerThread)) {
            var in = ByteBuffer.wrap(frame);
            int thread = in.getInt();
            assertThat(in.getInt()).as("sequence number from thread %d", thread).isEqualTo(nextSeq[thread]++);
        }
        assertThat(nextSeq).containsOnly(framesPerThread);
    }

    /**
     * The most bytes the transport may hold between a sender and a receiver whose handler is
     * blocked, beyond the outbound queue. Default 40 MiB: TCP's kernel buffers on loopback, which
     * autotune to tens of MiB at most. A transport with its own flow control says less.
     */
    protected long bytesHeldInTransit() {
        return 40L * 1024 * 1024;
    }

    @Test
    void sendWaitsWhileTheReceiverIsBlockedSoTheBacklogStaysBounded() throws Exception {
        int frameBytes = 256 * 1024;
        // The outbound queue (which takes one frame longer than itself when empty), the frame the
        // blocked handler holds, and what the transport holds in between.
        long bound = Math.max(transport(options()).options().maxQueuedBytes(), frameBytes) + frameBytes
                + bytesHeldInTransit();
        // Enough frames to go past the bound, and no more: every frame is carried once released.
        int frames = Math.toIntExact(bound / frameBytes) + 8;
        var transport = transport(options());
        var release = gate();
        var server = Server.blockedBy(release);
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        var sent = new AtomicInteger();
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < frames; i++) {
                    connection.send(numbered(i, frameBytes));
                    sent.incrementAndGet();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });

        // Waiting with no progress between two polls: blocked, not just passing a lock.
        var seen = new AtomicInteger(-1);
        awaitTrue("the sender waits or has finished", () -> sender.getState() == Thread.State.TERMINATED
                || sender.getState() == Thread.State.WAITING && seen.getAndSet(sent.get()) == sent.get());
        assertThat(sender.getState()).as("the sender's state after " + sent.get() + " frames")
                .isEqualTo(Thread.State.WAITING);
        assertThat((long) sent.get() * frameBytes).isLessThanOrEqualTo(bound);
        release.countDown();

        assertThat(sender.join(AWAIT)).as("the sender finished once the receiver was released").isTrue();
        assertThat(server.next().take(frames)).extracting(TransportConformanceTest::indexOf)
                .containsExactlyElementsOf(range(frames));
    }

    @Test
    void deliversEveryFrameWhoseSendReturnedWhenAGracefulCloseRacesSenders() throws Exception {
        int threads = 4;
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        var sentBeforeClose = new AtomicInteger();
        var someSent = new CountDownLatch(threads * 20);

        try (var senders = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> sending = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                sending.add(senders.submit(() -> {
                    for (int seq = 0; seq < 1_000_000; seq++) {
                        try {
                            connection.send(ByteBuffer.allocate(8).putInt(thread).putInt(seq).array());
                        } catch (ConnectionClosedException closed) {
                            return null;
                        }
                        sentBeforeClose.incrementAndGet();
                        someSent.countDown();
                    }
                    return null;
                }));
            }
            assertThat(someSent.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            connection.close();
            for (Future<?> f : sending) {
                f.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }

        Peer serverSide = server.next();
        assertThat(serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(serverSide.framesBeforeClose).isEqualTo(sentBeforeClose.get());
        int[] nextSeq = new int[threads];
        for (byte[] frame : serverSide.take(sentBeforeClose.get())) {
            var in = ByteBuffer.wrap(frame);
            int thread = in.getInt();
            assertThat(in.getInt()).as("sequence number from thread %d", thread).isEqualTo(nextSeq[thread]++);
        }
    }

    @Test
    void handsTheHandlerWhatItAttachedInOnOpenWithEveryFrame() throws Exception {
        var transport = transport(options());
        var seen = new LinkedBlockingQueue<Object>();
        var listener = listen(transport, new ConnectionHandler() {
            @Override
            public void onOpen(Connection connection) {
                connection.attach("state of " + connection.id());
            }

            @Override
            public void onFrame(Connection connection, byte[] frame) {
                seen.add(connection.attachment().equals("state of " + connection.id()));
            }
        });
        Connection connection = connect(transport, listener, new Peer());

        for (int i = 0; i < 3; i++) {
            connection.send(text("frame " + i));
        }

        for (int i = 0; i < 3; i++) {
            assertThat(seen.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).as("frame %d saw the attachment", i)
                    .isEqualTo(true);
        }
        assertThat(connection.attachment()).as("the other side's own attachment").isNull();
    }

    @Test
    void refusesTrySendWhileTheReceiverIsBlockedAndDeliversEverythingOnceItIsReleased() throws Exception {
        var transport = transport(options());
        var release = gate();
        var server = Server.blockedBy(release);
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        long maxQueuedBytes = transport.options().maxQueuedBytes();

        int accepted = fillUntilRefused(connection, maxQueuedBytes);
        release.countDown();

        assertThat(server.next().take(accepted)).extracting(TransportConformanceTest::indexOf)
                .containsExactlyElementsOf(range(accepted));
        awaitTrue("the outbound queue is empty", () -> connection.stats().queuedBytes() == 0);
    }

    @Test
    void deliversEverythingQueuedBeforeThePeerSeesAGracefulClose() throws Exception {
        var transport = transport(options());
        var release = gate();
        var server = Server.blockedBy(release);
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        int accepted = fillUntilRefused(connection, transport.options().maxQueuedBytes());

        connection.close();
        release.countDown();

        Peer serverSide = server.next();
        assertThat(serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(serverSide.framesBeforeClose).isEqualTo(accepted);
        assertThat(serverSide.take(accepted)).extracting(TransportConformanceTest::indexOf)
                .containsExactlyElementsOf(range(accepted));
        assertThat(connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.CLOSED_LOCALLY);
    }

    @Test
    void stillDeliversWhatThePeerSendsInReplyAfterAGracefulClose() throws Exception {
        var transport = transport(options());
        var listener = listen(transport, Server.echoing());
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        // Large replies keep the peer's writer busy when its reader learns of the close.
        for (int i = 0; i < 100; i++) {
            connection.send(numbered(i, 32 * 1024));
        }

        connection.close();

        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.CLOSED_LOCALLY);
        assertThat(client.framesBeforeClose).isEqualTo(100);
        assertThat(client.take(100)).extracting(TransportConformanceTest::indexOf).containsExactlyElementsOf(range(100));
    }

    /** A handler may block ({@link ConnectionHandler}): what it sent before leaves meanwhile. */
    @Test
    void sendsWhatAHandlerSentWhileTheHandlerIsStillBlocked() throws Exception {
        var transport = transport(options());
        var replyArrived = gate();
        var listener = listen(transport, (connection, frame) -> {
            send(connection, frame);
            try {
                replyArrived.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        var client = new Peer();
        Connection connection = connect(transport, listener, client);

        connection.send(text("ping"));

        assertThat(client.take(1)).extracting(TransportConformanceTest::string).containsExactly("ping");
        replyArrived.countDown();
    }

    /**
     * A handler answering a burst of small requests with larger replies, batched: more replies
     * than the outbound queue holds are sent while the handler has the frames of one read, so its
     * sends must wait for room, and what was held must be on its way to make it (keepalives are
     * rare here, so that no timed wake-up of the transport's sender hides a missing one).
     */
    @Test
    void answersEveryRequestOfABurstWhoseRepliesOverflowTheOutboundQueue() throws Exception {
        var transport = transport(options().toBuilder()
                .keepAliveInterval(AWAIT.multipliedBy(3)).idleTimeout(AWAIT.multipliedBy(6)).build());
        int requests = 2_000;
        int replyBytes = 4 * 1024;
        assertThat((long) requests * replyBytes).isGreaterThan(10 * transport.options().maxQueuedBytes());
        var listener = listen(transport, (connection, frame) -> sendBatched(connection, numbered(indexOf(frame), replyBytes)));
        var client = new Peer();
        Connection connection = connect(transport, listener, client);

        for (int i = 0; i < requests; i++) {
            connection.send(numbered(i, Integer.BYTES));
        }

        assertThat(client.take(requests)).extracting(TransportConformanceTest::indexOf).containsExactlyElementsOf(range(requests));
    }

    @Test
    void deliversTheBatchedRepliesAHandlerSentBeforeItClosedItsConnection() throws Exception {
        var transport = transport(options());
        int requests = 500;
        var listener = listen(transport, (connection, frame) -> {
            int index = indexOf(frame);
            sendBatched(connection, numbered(index, 64));
            if (index == requests - 1) {
                connection.close();
            }
        });
        var client = new Peer();
        Connection connection = connect(transport, listener, client);

        for (int i = 0; i < requests; i++) {
            connection.send(numbered(i, Integer.BYTES));
        }

        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(client.framesBeforeClose).isEqualTo(requests);
        assertThat(client.take(requests)).extracting(TransportConformanceTest::indexOf).containsExactlyElementsOf(range(requests));
    }

    @Test
    void closingBothEndsAtOnceEndsGracefullyOnBothSidesWithoutWaitingForTheCloseTimeout() throws Exception {
        var transport = transport(options().toBuilder().closeTimeout(AWAIT.multipliedBy(3)).build());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        Connection serverSide = server.next().opened.get();
        for (int i = 0; i < 10; i++) {
            connection.send(numbered(i, 1024));
            serverSide.send(numbered(i, 1024));
        }

        connection.close();
        serverSide.close();

        assertThat(connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.CLOSED_LOCALLY);
        // The server may have learnt of the client's close before it closed itself.
        assertThat(serverSide.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).isGraceful()).isTrue();
    }

    @Test
    void abortGivesThePeerAReset() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        Peer serverSide = server.next();
        var cause = new ConnectionClosedException(Reason.ABORTED, "the test gave up");

        connection.abort(cause);

        assertThat(connection.isOpen()).isFalse();
        assertThat(connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isSameAs(cause);
        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isSameAs(cause);
        assertThat(serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                .isEqualTo(Reason.RESET_BY_PEER);
    }

    @Test
    void abortCutsAGracefulCloseShort() throws Exception {
        // No keepalives or idle timeouts: nothing but the abort itself may end the close early.
        var transport = transport(options().toBuilder().closeTimeout(AWAIT.multipliedBy(3))
                .idleTimeout(Duration.ZERO).keepAliveInterval(Duration.ZERO).build());
        var release = gate();
        var server = Server.blockedBy(release);
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        // Over TLS the server finishes its handshake after the client; a reset before then would
        // (rightly) leave nothing accepted, so the server's side is awaited first.
        Peer serverSide = server.next();
        fillUntilRefused(connection, transport.options().maxQueuedBytes());
        connection.close();

        connection.abort(new IOException("no more waiting"));

        // Long before the close timeout, and while the peer's handler is still blocked; the close
        // did not end gracefully, and its cause says so.
        var cause = connection.closeFuture().get(AWAIT.toMillis() / 2, TimeUnit.MILLISECONDS);
        assertThat(cause.reason()).isEqualTo(Reason.ABORTED);
        assertThat(cause.isGraceful()).isFalse();
        assertThat(connection.stats().queuedBytes()).isZero();
        release.countDown();
        assertThat(serverSide.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
    }

    @Test
    void abortsTheConnectionWhenAHandlerThrows() throws Exception {
        var transport = transport(options());
        var listener = listen(transport, new Server() {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                throw new IllegalStateException("this handler rejects every frame");
            }
        });
        var client = new Peer();
        Connection connection = connect(transport, listener, client);

        connection.send(text("unwelcome"));

        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.RESET_BY_PEER);
        awaitTrue("the listener dropped the connection", () -> listener.connectionCount() == 0);
    }

    /**
     * A handler that catches an {@code InterruptedException} and restores the flag, as it should,
     * then sends or closes, must not take the listener down with it: the JDK closes a blocking
     * channel used by an interrupted thread, and the listener's socket may serve every connection.
     */
    @Test
    void aHandlerThatLeavesItsThreadInterruptedDisturbsNoOtherConnection() throws Exception {
        var transport = transport(options());
        var handlerDone = new CountDownLatch(1);
        var listener = listen(transport, new Server(true, new CountDownLatch(0)) {
            @Override
            public void onFrame(Connection connection, byte[] frame) {
                super.onFrame(connection, frame);
                if (Arrays.equals(frame, text("interrupt me"))) {
                    Thread.currentThread().interrupt();
                    try {
                        connection.sendUnreliable(text("best effort"));
                    } catch (ConnectionClosedException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        connection.close();
                        handlerDone.countDown();
                    }
                }
            }
        });
        Connection interrupted = connect(transport, listener, new Peer());
        interrupted.send(text("interrupt me"));
        assertThat(handlerDone.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        var other = new Peer();
        Connection connection = connect(transport, listener, other);
        connection.send(text("still served"));

        assertThat(other.take(1).getFirst()).isEqualTo(text("still served"));
    }

    @Test
    void closingTheListenerClosesEveryConnectionGracefully() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        List<Peer> clients = new ArrayList<>();
        List<Peer> serverSides = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            var client = new Peer();
            clients.add(client);
            connect(transport, listener, client);
            serverSides.add(server.next());
        }

        listener.close();

        // close() returns once terminated: every accepted connection has closed by then.
        assertThat(listener.isTerminated()).isTrue();
        assertThat(listener.connectionCount()).isZero();
        for (Peer serverSide : serverSides) {
            assertThat(serverSide.closed).isDone();
            assertThat(serverSide.closed.get().reason()).isEqualTo(Reason.SHUTDOWN);
        }
        for (Peer client : clients) {
            ConnectionClosedException cause = client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(cause.reason()).isEqualTo(Reason.CLOSED_BY_PEER);
            assertThat(cause.isGraceful()).isTrue();
        }
        assertThatThrownBy(() -> transport.connect(listener.localAddress(), new Peer()))
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void shutdownRefusesNewConnectionsAtOnceButLetsOpenOnesFinishGracefully() throws Exception {
        var held = holdOneConnection("first", "second");
        Listener listener = held.listener();

        listener.shutdown();

        // A handler of the listener's is still running, so it cannot have terminated, and its
        // port is still bound (a UDP listener still answers on it): the refusal is the listener's
        // answer, not a timeout.
        var late = new Peer();
        assertThatThrownBy(() -> connect(held.transport(), listener, late)).isInstanceOf(ConnectException.class);
        assertThat(late.opened).isNotDone();
        assertThat(listener.isTerminated()).isFalse();
        held.gate().countDown();
        assertThat(held.serverSide().take(2)).containsExactly(text("first"), text("second"));
        assertThat(held.serverSide().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.SHUTDOWN);
        assertThat(held.client().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(listener.awaitTermination(AWAIT)).isTrue();
        assertThat(listener.isTerminated()).isTrue();
        assertThat(listener.connectionCount()).isZero();
        assertThat(held.server().accepted).isEmpty();
    }

    @Test
    void shutdownNowAbortsEveryConnectionAtOnceAndDropsWhatWasStillToBeDelivered() throws Exception {
        var held = holdOneConnection("held", "dropped");
        Listener listener = held.listener();

        listener.shutdownNow();

        assertThat(held.client().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.RESET_BY_PEER);
        assertThatThrownBy(() -> connect(held.transport(), listener, new Peer())).isInstanceOf(ConnectException.class);
        held.gate().countDown();
        ConnectionClosedException cause = held.serverSide().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.isGraceful()).as("%s", cause).isFalse();
        assertThat(held.serverSide().framesBeforeClose).as("frames the handler took").isEqualTo(1);
        assertThat(listener.awaitTermination(AWAIT)).isTrue();
        assertThat(listener.connectionCount()).isZero();
    }

    @Test
    void shutdownNowCutsAGracefulShutdownShort() throws Exception {
        var held = holdOneConnection("held");

        held.listener().shutdown();
        held.listener().shutdownNow();

        held.gate().countDown();
        // The server side, whose handler still held a frame, was aborted instead of finishing; the
        // client may have read the graceful end that shutdown() sent before the reset.
        assertThat(held.serverSide().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).isGraceful()).isFalse();
        assertThat(held.client().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isNotNull();
        assertThat(held.listener().awaitTermination(AWAIT)).isTrue();
    }

    @Test
    void closeCalledByAHandlerOfTheListenerShutsDownWithoutWaitingForItsOwnConnection() throws Exception {
        var transport = transport(options());
        var listenerOf = new CompletableFuture<Listener>();
        var closeReturned = new CompletableFuture<Void>();
        var listener = listen(transport, (connection, frame) -> {
            listenerOf.join().close();
            closeReturned.complete(null);
        });
        listenerOf.complete(listener);
        var client = new Peer();

        connect(transport, listener, client).send(text("close your listener"));

        closeReturned.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        // Had close() waited for this connection, its close timeout would have reset it.
        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(listener.awaitTermination(AWAIT)).isTrue();
    }

    @Test
    void closesOnceAndTerminatesWhenManyThreadsCloseAtOnce() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();
        connect(transport, listener, client);
        Peer serverSide = server.next();
        var start = new CountDownLatch(1);
        List<Future<Boolean>> closes = new ArrayList<>();

        try (var closers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 4; i++) {
                closes.add(closers.submit(() -> {
                    start.await();
                    listener.close();
                    return listener.isTerminated();
                }));
            }
            start.countDown();
        }

        for (Future<Boolean> close : closes) {
            assertThat(close.get()).as("terminated when its close() returned").isTrue();
        }
        assertThat(serverSide.closeCalls).hasValue(1);
        assertThat(serverSide.closed.get().reason()).isEqualTo(Reason.SHUTDOWN);
        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason()).isEqualTo(Reason.CLOSED_BY_PEER);
    }

    @Test
    void refusesToConnectWhereNobodyListens() throws Exception {
        var transport = transport(options());
        SocketAddress address;
        try (Listener listener = transport.listen(bindAddress(), new Server())) {
            address = listener.localAddress();
        }

        assertThatThrownBy(() -> transport.connect(address, new Peer()))
                .isInstanceOf(ConnectException.class)
                .hasMessageContaining(String.valueOf(((InetSocketAddress) address).getPort()));
    }

    @Test
    void refusesConnectionsPastTheLimitAndKeepsServingTheOthers() throws Exception {
        var transport = transport(options().toBuilder().maxConnections(2).build());
        var server = Server.echoing();
        var listener = listen(transport, server);
        var first = new Peer();
        var second = new Peer();
        Connection firstConnection = connect(transport, listener, first);
        Connection secondConnection = connect(transport, listener, second);
        server.next();
        server.next();

        var extra = new Peer();
        try {
            Connection refused = connect(transport, listener, extra);
            // Without a handshake the refusal comes right after connecting, as a reset.
            assertThat(refused.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).reason())
                    .isEqualTo(Reason.RESET_BY_PEER);
        } catch (ConnectException refusedInConnect) {
            assertThat(extra.opened).isNotDone();
        }

        assertThat(server.accepted).isEmpty();
        assertThat(listener.connectionCount()).isEqualTo(2);
        firstConnection.send(text("first"));
        secondConnection.send(text("second"));
        assertThat(first.take(1)).containsExactly(text("first"));
        assertThat(second.take(1)).containsExactly(text("second"));

        firstConnection.close();
        awaitTrue("the listener counts one connection", () -> listener.connectionCount() == 1);
        var third = new Peer();
        connect(transport, listener, third).send(text("third"));
        assertThat(third.take(1)).containsExactly(text("third"));
    }

    @Test
    void neverAdmitsMoreThanMaxConnectionsWhenManyConnectAtOnce() throws Exception {
        int cap = 3;
        int attempts = 30;
        var transport = transport(options().toBuilder().maxConnections(cap).build());
        var server = new Server();
        var listener = listen(transport, server);
        var start = new CountDownLatch(1);
        var refusedInConnect = new AtomicInteger();
        List<Connection> connected = Collections.synchronizedList(new ArrayList<>());

        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < attempts; i++) {
                clients.submit(() -> {
                    start.await();
                    try {
                        connected.add(connect(transport, listener, new Peer()));
                    } catch (ConnectException refused) {
                        refusedInConnect.incrementAndGet();
                    }
                    return null;
                });
            }
            start.countDown();
        }

        assertThat(listener.connectionCount()).isLessThanOrEqualTo(cap);
        awaitTrue("all but " + cap + " of " + attempts + " connections are refused", () ->
                refusedInConnect.get() + connected.stream().filter(c -> !c.isOpen()).count() == attempts - cap);
        // A client's connect may return before its server side is registered (over TLS the server
        // finishes its handshake after the client), so the count is awaited, not read at once.
        awaitTrue("the listener holds " + cap + " connections", () -> listener.connectionCount() == cap);
        for (int i = 0; i < cap; i++) {
            server.next();
        }
        assertThat(server.accepted).isEmpty();
    }

    @Test
    void closesAConnectionOnWhichNothingArrivesForTheIdleTimeout() throws Exception {
        assumeTrue(detectsIdlePeers(), "this transport does not detect idle peers");
        var watchful = transport(options().toBuilder()
                .idleTimeout(IDLE_TIMEOUT).keepAliveInterval(KEEPALIVE_INTERVAL).build());
        var silent = transport(options().toBuilder()
                .idleTimeout(Duration.ZERO).keepAliveInterval(Duration.ZERO).build());
        var server = new Server();
        var listener = listen(watchful, server);
        long start = System.nanoTime();
        var client = new Peer();

        connect(silent, listener, client);

        ConnectionClosedException cause = server.next().closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(cause.reason()).isEqualTo(Reason.IDLE_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(IDLE_TIMEOUT);
        assertThat(client.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS).isGraceful()).isFalse();
    }

    @Test
    void keepsAQuietConnectionOpenWhileKeepalivesFlow() throws Exception {
        assumeTrue(detectsIdlePeers(), "this transport does not detect idle peers");
        var transport = transport(options().toBuilder()
                .idleTimeout(IDLE_TIMEOUT).keepAliveInterval(KEEPALIVE_INTERVAL).build());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        Peer serverSide = server.next();

        // Nobody sends a frame for two and a half idle timeouts: only keepalives cross.
        assertThatThrownBy(() -> serverSide.closed.get(IDLE_TIMEOUT.multipliedBy(5).dividedBy(2).toMillis(),
                TimeUnit.MILLISECONDS))
                .isInstanceOf(TimeoutException.class);

        assertThat(client.closed).isNotDone();
        connection.send(text("still here"));
        assertThat(serverSide.take(1)).containsExactly(text("still here"));
    }

    @Test
    void refusesSendsOnceClosed() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        Connection connection = connect(transport, listener, new Peer());
        Connection serverSide = server.next().opened.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);

        connection.close();

        assertThat(connection.isOpen()).isFalse();
        assertClosedWith(connection, Reason.CLOSED_LOCALLY);
        connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertClosedWith(connection, Reason.CLOSED_LOCALLY);
        serverSide.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertClosedWith(serverSide, Reason.CLOSED_BY_PEER);
    }

    @Test
    void refusesEachSendWithAnExceptionOfItsOwnCausedByTheCloseCause() throws Exception {
        var transport = transport(options());
        var listener = listen(transport, new Server());
        Connection connection = connect(transport, listener, new Peer());
        connection.abort(new IOException("the test aborts"));
        ConnectionClosedException cause = connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        byte[] frame = text("too late");

        Throwable first = catchThrowable(() -> connection.send(frame));
        Throwable second = catchThrowableOn(() -> connection.send(frame));
        Throwable offered = catchThrowable(() -> connection.trySend(frame));
        Throwable unreliable = catchThrowable(() -> connection.sendUnreliable(frame));

        for (Throwable refused : List.of(first, second, offered, unreliable)) {
            assertThat(refused).isInstanceOfSatisfying(ConnectionClosedException.class, e -> {
                assertThat(e).isNotSameAs(cause);
                assertThat(e.getCause()).isSameAs(cause);
                assertThat(e.reason()).isEqualTo(cause.reason());
                assertThat(e.getMessage()).isEqualTo(cause.getMessage());
            });
        }
        assertThat(first).isNotSameAs(second);
        assertThat(second.getStackTrace()).as("the stack of the thread that sent")
                .noneMatch(element -> element.getMethodName().equals("refusesEachSendWithAnExceptionOfItsOwnCausedByTheCloseCause"));
        assertThat(first.getStackTrace())
                .anyMatch(element -> element.getMethodName().equals("refusesEachSendWithAnExceptionOfItsOwnCausedByTheCloseCause"));
    }

    /** What {@code call} throws when run on a thread of its own. */
    private static Throwable catchThrowableOn(ThrowingCallable call) throws InterruptedException {
        var thrown = new CompletableFuture<Throwable>();
        Thread.ofVirtual().start(() -> thrown.complete(catchThrowable(call))).join(AWAIT);
        return thrown.getNow(null);
    }

    @Test
    void completesBothCloseFuturesWithTheirCausesAfterAGracefulClose() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        Peer serverSide = server.next();

        connection.close();

        ConnectionClosedException local = connection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(local.reason()).isEqualTo(Reason.CLOSED_LOCALLY);
        assertThat(client.closed).isCompletedWithValue(local);
        Connection serverConnection = serverSide.opened.get();
        ConnectionClosedException remote = serverConnection.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(remote.reason()).isEqualTo(Reason.CLOSED_BY_PEER);
        assertThat(serverSide.closed).isCompletedWithValue(remote);
        assertThat(List.of(local, remote)).allMatch(ConnectionClosedException::isGraceful);
    }

    @Test
    void callsOnCloseExactlyOnceWhenClosesRace() throws Exception {
        var transport = transport(options());
        var server = new Server();
        var listener = listen(transport, server);
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        Peer serverSide = server.next();
        Connection serverConnection = serverSide.opened.get();
        var start = new CountDownLatch(1);
        List<Runnable> closes = List.of(
                connection::close,
                () -> connection.abort(new IOException("racing abort")),
                serverConnection::close,
                () -> serverConnection.abort(new IOException("racing abort")),
                listener::close);

        try (var racers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Runnable close : closes) {
                racers.submit(() -> {
                    start.await();
                    close.run();
                    return null;
                });
            }
            start.countDown();
        }

        for (Peer peer : List.of(client, serverSide)) {
            ConnectionClosedException cause = peer.closed.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            Connection c = peer.opened.get();
            assertThat(c.closeFuture().get(AWAIT.toMillis(), TimeUnit.MILLISECONDS)).isSameAs(cause);
        }
        awaitTrue("the listener counts no connections", () -> listener.connectionCount() == 0);
        assertThat(client.closeCalls).hasValue(1);
        assertThat(serverSide.closeCalls).hasValue(1);
    }

    // ---- helpers ----

    private Listener listen(Transport transport, ConnectionHandler handler) throws IOException {
        Listener listener = transport.listen(bindAddress(), handler);
        listeners.add(listener);
        return listener;
    }

    private Connection connect(Transport transport, Listener listener, ConnectionHandler handler) throws IOException {
        Connection connection = transport.connect(listener.localAddress(), handler);
        connections.add(connection);
        return connection;
    }

    /** One accepted connection whose handler is blocked on the first of the frames its client sent. */
    private record HeldConnection(Transport transport, Listener listener, Server server, CountDownLatch gate,
                                  Peer client, Peer serverSide) {
    }

    /**
     * Connects to a listener whose handlers wait for a gate, sends {@code frames}, and returns once
     * the server side's handler has been handed the first: with the gate closed, it blocks on it.
     */
    private HeldConnection holdOneConnection(String... frames) throws Exception {
        var transport = transport(options());
        var gate = gate();
        var server = Server.blockedBy(gate);
        var listener = listen(transport, server);
        var client = new Peer();
        Connection connection = connect(transport, listener, client);
        for (String frame : frames) {
            connection.send(text(frame));
        }
        Peer serverSide = server.next();
        Connection accepted = serverSide.opened.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitTrue("the handler was handed a frame", () -> accepted.stats().framesReceived() >= 1);
        return new HeldConnection(transport, listener, server, gate, client, serverSide);
    }

    /** A latch that handlers wait on; released at the latest when the test ends. */
    private CountDownLatch gate() {
        var gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    /**
     * Offers numbered frames with {@code trySend} until one is refused, checking all along that
     * the queue stays within its bound.
     *
     * @return how many frames were queued, numbered from 0
     */
    private static int fillUntilRefused(Connection connection, long maxQueuedBytes) throws ConnectionClosedException {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        int accepted = 0;
        while (connection.trySend(numbered(accepted, 8 * 1024))) {
            accepted++;
            assertThat(connection.stats().queuedBytes()).isLessThanOrEqualTo(maxQueuedBytes);
            if (System.nanoTime() > deadline) {
                fail("trySend never refused a frame; " + accepted + " were queued");
            }
        }
        assertThat(accepted).isPositive();
        return accepted;
    }

    private static void assertClosedWith(Connection connection, Reason reason) {
        byte[] frame = text("too late");
        assertThatThrownBy(() -> connection.send(frame)).isInstanceOfSatisfying(ConnectionClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
        assertThatThrownBy(() -> connection.trySend(frame)).isInstanceOfSatisfying(ConnectionClosedException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
        assertThatThrownBy(() -> connection.sendUnreliable(frame)).isInstanceOf(ConnectionClosedException.class);
    }

    /** Polls {@code condition} until it holds, failing the test after {@link #AWAIT}. */
    public static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Sends from a handler, which may not throw checked exceptions. */
    private static void send(Connection connection, byte[] frame) {
        try {
            connection.send(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link Connection#sendBatched} from a handler. */
    private static void sendBatched(Connection connection, byte[] frame) {
        try {
            connection.sendBatched(frame);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] numbered(int index, int size) {
        return ByteBuffer.allocate(size).putInt(index).array();
    }

    private static int indexOf(byte[] frame) {
        return ByteBuffer.wrap(frame).getInt();
    }

    private static List<Integer> range(int count) {
        List<Integer> range = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            range.add(i);
        }
        return range;
    }

    /** {@code s} in UTF-8, as a frame. */
    public static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A frame as UTF-8 text. */
    public static String string(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }

    /**
     * Records what happens on one connection; the handler of a client, or one accepted connection
     * of a {@link Server}. Called on the connection's delivery thread; read by the test thread.
     */
    public static class Peer implements ConnectionHandler {

        /** Completes with the connection when {@code onOpen} runs. */
        public final CompletableFuture<Connection> opened = new CompletableFuture<>();
        /** Completes with the cause when {@code onClose} runs. */
        public final CompletableFuture<ConnectionClosedException> closed = new CompletableFuture<>();
        /** How many times {@code onClose} ran. */
        public final AtomicInteger closeCalls = new AtomicInteger();
        /** How many frames had arrived when {@code onClose} ran; -1 before. */
        public volatile int framesBeforeClose = -1;

        private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        private final AtomicInteger received = new AtomicInteger();
        private final boolean echo;
        private final CountDownLatch gate;

        public Peer() {
            this(false, new CountDownLatch(0));
        }

        /**
         * @param echo send every frame back
         * @param gate wait for this latch before taking each frame (at most {@link #AWAIT})
         */
        public Peer(boolean echo, CountDownLatch gate) {
            this.echo = echo;
            this.gate = gate;
        }

        @Override
        public void onOpen(Connection connection) {
            opened.complete(connection);
        }

        @Override
        public void onFrame(Connection connection, byte[] frame) {
            try {
                if (!gate.await(AWAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("the gate was never opened");
                }
                if (echo) {
                    connection.send(frame);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            frames.add(frame);
            received.incrementAndGet();
        }

        @Override
        public void onClose(Connection connection, ConnectionClosedException cause) {
            framesBeforeClose = received.get();
            closeCalls.incrementAndGet();
            closed.complete(cause);
        }

        /** Waits for the next {@code count} frames, failing the test if they do not come. */
        public List<byte[]> take(int count) throws InterruptedException {
            long deadline = System.nanoTime() + AWAIT.toNanos();
            List<byte[]> taken = new ArrayList<>(count);
            while (taken.size() < count) {
                byte[] frame = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (frame == null) {
                    fail("only " + taken.size() + " of " + count + " frames arrived within " + AWAIT);
                }
                taken.add(frame);
            }
            return taken;
        }
    }

    /**
     * A listener's handler: one {@link Peer} per accepted connection, handed out in the order the
     * connections opened. Called on the accepted connections' delivery threads.
     */
    public static class Server implements ConnectionHandler {

        /** Peers of accepted connections that {@link #next()} has not handed out yet. */
        public final BlockingQueue<Peer> accepted = new LinkedBlockingQueue<>();

        private final Map<Connection, Peer> peers = new ConcurrentHashMap<>();
        private final boolean echo;
        private final CountDownLatch gate;

        public Server() {
            this(false, new CountDownLatch(0));
        }

        private Server(boolean echo, CountDownLatch gate) {
            this.echo = echo;
            this.gate = gate;
        }

        /** A server that sends every frame back on the connection it came from. */
        public static Server echoing() {
            return new Server(true, new CountDownLatch(0));
        }

        /** A server whose handlers block on each frame until {@code gate} opens. */
        public static Server blockedBy(CountDownLatch gate) {
            return new Server(false, gate);
        }

        /** Waits for the next accepted connection. */
        public Peer next() throws InterruptedException {
            Peer peer = accepted.poll(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (peer == null) {
                fail("no connection was accepted within " + AWAIT);
            }
            return peer;
        }

        @Override
        public void onOpen(Connection connection) {
            var peer = new Peer(echo, gate);
            peers.put(connection, peer);
            peer.onOpen(connection);
            accepted.add(peer);
        }

        @Override
        public void onFrame(Connection connection, byte[] frame) {
            peers.get(connection).onFrame(connection, frame);
        }

        @Override
        public void onClose(Connection connection, ConnectionClosedException cause) {
            peers.get(connection).onClose(connection, cause);
        }
    }
}
