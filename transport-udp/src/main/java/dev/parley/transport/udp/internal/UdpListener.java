package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractListener;
import dev.parley.transport.spi.FrameBudget;
import dev.parley.transport.udp.UdpOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

/**
 * A bound UDP port accepting connections. It binds {@link UdpOptions#receiveSockets()} sockets to
 * the port with {@code SO_REUSEPORT} (one where that is not Linux), and each socket has a
 * {@link Receiver}: a receive loop (a platform thread) that reads its datagrams and hands each, by
 * destination connection id, to its {@link UdpConnection}, and a {@link TimerLoop} that drives the
 * timers of the connections that socket accepted. The kernel picks a socket by the client's
 * address and port, so all of one connection's datagrams arrive on one socket and its packets are
 * sent from it: a connection is served by one receive thread and one timer thread, and the
 * listener's connections spread over the sockets. Datagrams that belong to no connection go through the
 * stateless {@link ServerHandshake} of the socket they came in on (each loop has its own: it is not
 * thread-safe, and all sign their cookies with one secret); garbage of any kind is counted and dropped, and no exception
 * leaves a loop.
 *
 * <p>Its lifecycle is {@link AbstractListener}'s: once shut down it refuses every INITIAL, and it
 * keeps its sockets and timers for its connections until the last has closed.
 *
 * <p>Thread-safe. The receive loops never call a handler: each connection has its own delivery
 * thread.
 */
public final class UdpListener extends AbstractListener {

    private static final Logger log = LoggerFactory.getLogger(UdpListener.class);
    private static final int SOCKET_BUFFER = 4 << 20;

    private record ClientKey(InetSocketAddress address, long connectionId) {
    }

    /**
     * One socket bound to the listener's port, with the threads that serve its connections and the
     * handshake state only its receive loop uses.
     */
    /** A bound socket with its threads; {@code receiveBufferBytes} is what the kernel granted its receive buffer. */
    private record Receiver(DatagramChannel channel, int receiveBufferBytes, TimerLoop timer, Thread loop,
                            ServerHandshake handshake) {
    }

    private final List<Receiver> receivers = new ArrayList<>();
    private final InetSocketAddress localAddress;
    private final ConnectionHandler handler;
    private final TransportOptions options;
    private final UdpOptions udp;
    /** Each receive loop's handshake takes a {@link HandshakeCookies#sibling() sibling} of these. */
    private final HandshakeCookies cookies;
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, UdpConnection> byId = new ConcurrentHashMap<>();
    private final Map<ClientKey, UdpConnection> byClient = new ConcurrentHashMap<>();
    /** Shared by every session: what their frames under way may hold. */
    private final FrameBudget frameBudget;
    /**
     * Makes accepting atomic across receive loops, so {@code maxConnections} holds exactly, and
     * against {@link #stopAccepting}: a connection is tracked, its session started, before the
     * lock is let go.
     */
    private final ReentrantLock accepting = new ReentrantLock();
    /** Counted by every receive loop: a {@link LongAdder}, so the loops do not share a contended counter. */
    private final LongAdder datagrams = new LongAdder();
    private final AtomicLong checksumFailures = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong unknownConnection = new AtomicLong();
    private final AtomicLong wrongAddress = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();
    /** Set under {@link #accepting} once accepting stopped: INITIALs are refused from then on. */
    private boolean closed;
    /** Set when {@link #release} closes the sockets: a socket that closes before then is a fault. */
    private volatile boolean releasing;

    private UdpListener(InetSocketAddress localAddress, ConnectionHandler handler, TransportOptions options,
                        UdpOptions udp) {
        super(options);
        this.localAddress = localAddress;
        this.handler = handler;
        this.options = options;
        this.udp = udp;
        this.frameBudget = FrameBudget.of(options.maxUnfinishedFrameBytes());
        this.cookies = new HandshakeCookies(udp.cookieLifetime().toNanos());
    }

    /** Binds {@code address} (port 0 picks a free port) and starts serving. */
    public static UdpListener bind(SocketAddress address, ConnectionHandler handler, TransportOptions options,
                                   UdpOptions udp) throws IOException {
        boolean linux = System.getProperty("os.name", "").startsWith("Linux");
        int sockets = linux ? udp.receiveSockets() : 1;
        // The first socket binds without SO_REUSEPORT and only then sets it: for port 0 Linux
        // counts a port held only by SO_REUSEPORT sockets of the same user as free to a socket
        // with the option set (3,000 such sockets bound to port 0 shared 177 ports), so the
        // listener could land on another listener's port and the kernel spread the clients of
        // each over both.
        DatagramChannel first = open(false);
        UdpListener listener;
        try {
            first.bind(address);
            if (sockets > 1) {
                first.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            listener = new UdpListener((InetSocketAddress) first.getLocalAddress(), handler, options, udp);
        } catch (IOException | RuntimeException e) {
            first.close();
            throw e;
        }
        try {
            listener.add(first);
            for (int i = 1; i < sockets; i++) {
                DatagramChannel more = open(true);
                try {
                    more.bind(listener.localAddress);
                } catch (IOException | RuntimeException e) {
                    more.close();
                    throw e;
                }
                listener.add(more);
            }
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        listener.receivers.forEach(receiver -> receiver.loop().start());
        return listener;
    }

    private static DatagramChannel open(boolean reusePort) throws IOException {
        DatagramChannel channel = DatagramChannel.open();
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            if (reusePort) {
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            }
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Adds a bound socket, its timer and its (unstarted) receive loop. Before serving starts. */
    private void add(DatagramChannel channel) throws IOException {
        String suffix = localAddress.getPort() + "-" + receivers.size();
        var timer = new TimerLoop(Thread.ofPlatform().daemon().name("parley-udp-timer-" + suffix));
        var receiver = new Receiver[1];
        Thread loop = Thread.ofPlatform().daemon().name("parley-udp-receive-" + suffix)
                .unstarted(() -> receiveLoop(receiver[0]));
        receiver[0] = new Receiver(channel, channel.getOption(StandardSocketOptions.SO_RCVBUF), timer, loop,
                new ServerHandshake(cookies.sibling()));
        receivers.add(receiver[0]);
    }

    private void receiveLoop(Receiver receiver) {
        DatagramChannel channel = receiver.channel();
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (channel.isOpen()) {
            SocketAddress from;
            try {
                buf.clear();
                from = channel.receive(buf);
            } catch (ClosedChannelException e) {
                if (!releasing) {
                    log.error("listener {}: a socket closed under the open listener (a thread interrupted in the "
                            + "system call of a send on it; see Datagrams): the connections it served will time out",
                            localAddress);
                }
                return;
            } catch (IOException e) {
                log.debug("receive failed on {}; carrying on", localAddress, e);
                continue;
            }
            datagrams.increment();
            try {
                onDatagram(receiver, buf.array(), buf.position(), (InetSocketAddress) from, System.nanoTime());
            } catch (RuntimeException e) {
                internalErrors.incrementAndGet();
                log.warn("dropped a datagram from {} that broke its handling", from, e);
            }
        }
    }

    private void onDatagram(Receiver receiver, byte[] bytes, int length, InetSocketAddress from, long now) {
        Packet packet;
        try {
            packet = PacketCodec.decode(bytes, length);
        } catch (MalformedPacketException e) {
            countMalformed(bytes, length, from, e.kind());
            return;
        }
        if (packet instanceof Packet.Initial initial) {
            onInitial(receiver, initial, from, now);
            return;
        }
        UdpConnection connection = byId.get(packet.connectionId());
        if (connection == null) {
            unknownConnection.incrementAndGet();
        } else if (!connection.remoteAddress().equals(from)) {
            wrongAddress.incrementAndGet();
        } else {
            connection.onPacket(packet, now);
        }
    }

    /** A corrupt datagram counts against its connection when its header still names one from its address. */
    private void countMalformed(byte[] bytes, int length, InetSocketAddress from, MalformedPacketException.Kind kind) {
        if (length >= PacketCodec.HEADER_LENGTH) {
            UdpConnection connection = byId.get(PacketCodec.getLong(bytes, 2));
            if (connection != null && connection.remoteAddress().equals(from)) {
                connection.onMalformed(kind);
                return;
            }
        }
        (kind == MalformedPacketException.Kind.CHECKSUM ? checksumFailures : malformed).incrementAndGet();
    }

    private void onInitial(Receiver receiver, Packet.Initial initial, InetSocketAddress from, long now) {
        UdpConnection existing = byClient.get(new ClientKey(from, initial.sourceConnectionId()));
        if (existing != null) {
            existing.onPacket(initial, now);
            return;
        }
        switch (receiver.handshake().onInitial(initial, from, now)) {
            case ServerHandshake.Decision.Reply reply -> sendTo(receiver, ByteBuffer.wrap(reply.packet()), from);
            case ServerHandshake.Decision.Accept accept -> accept(receiver, initial, from);
            case ServerHandshake.Decision.Drop drop -> log.debug("dropped an INITIAL from {}: {}", from, drop.why());
        }
    }

    private void accept(Receiver receiver, Packet.Initial initial, InetSocketAddress from) {
        var key = new ClientKey(from, initial.sourceConnectionId());
        accepting.lock();
        try {
            if (closed || connectionCount() >= options.maxConnections()) {
                refused.incrementAndGet();
                sendTo(receiver, ByteBuffer.wrap(PacketCodec.refused(initial.sourceConnectionId(), initial.packetNumber())), from);
                return;
            }
            long id;
            do {
                id = random.nextLong();
            } while (id == 0 || byId.containsKey(id));
            long connectionId = id;
            var peerOptions = udp.forPeer(from.getAddress(), receiver.receiveBufferBytes());
            var connection = new UdpConnection(handler, options, peerOptions, localAddress, from, receiver.timer(), () -> {
                byId.remove(connectionId);
                byClient.remove(key);
            });
            byId.put(connectionId, connection);
            byClient.put(key, connection);
            // Tracked once its session exists (so that closing it works) and before its handler hears of it.
            connection.startServer(connectionId, initial, frameBudget,
                    (buf, len) -> sendTo(receiver, ByteBuffer.wrap(buf, 0, len), from), () -> track(connection, () -> { }));
        } finally {
            accepting.unlock();
        }
    }

    private void sendTo(Receiver receiver, ByteBuffer packet, InetSocketAddress to) {
        try {
            Datagrams.send(receiver.channel(), packet, to);
        } catch (IOException e) {
            log.debug("send to {} failed; the packet counts as lost", to, e);
        }
    }

    @Override
    public SocketAddress localAddress() {
        return localAddress;
    }

    /**
     * Counters of what arrived that no connection took: {@code datagrams}, {@code checksumFailures},
     * {@code malformedPackets}, {@code unknownConnection}, {@code wrongAddress}, {@code retriesSent},
     * {@code forgedCookies}, {@code expiredCookies}, {@code refused}, {@code internalErrors},
     * {@code sessions} (connections held, including those lingering after close).
     */
    public Map<String, Long> stats() {
        var s = new LinkedHashMap<String, Long>();
        s.put("datagrams", datagrams.sum());
        s.put("checksumFailures", checksumFailures.get());
        s.put("malformedPackets", malformed.get());
        s.put("unknownConnection", unknownConnection.get());
        s.put("wrongAddress", wrongAddress.get());
        s.put("retriesSent", sum(ServerHandshake::retriesSent));
        s.put("forgedCookies", sum(ServerHandshake::forgedCookies));
        s.put("expiredCookies", sum(ServerHandshake::expiredCookies));
        s.put("refused", refused.get());
        s.put("internalErrors", internalErrors.get());
        s.put("sessions", (long) byId.size());
        return s;
    }

    private long sum(ToLongFunction<ServerHandshake> counter) {
        return receivers.stream().mapToLong(receiver -> counter.applyAsLong(receiver.handshake())).sum();
    }

    /** From now on every INITIAL is refused; the sockets stay open for the connections still closing. */
    @Override
    protected void stopAccepting() {
        accepting.lock();
        try {
            closed = true;
        } finally {
            accepting.unlock();
        }
    }

    /**
     * Stops the timers, closes the sockets and waits for the receive loops to end (at most the
     * close timeout): the JDK releases a socket that a thread is blocked on only once that thread
     * wakes, so until then the port is still bound.
     */
    @Override
    protected void release() {
        releasing = true;
        for (Receiver receiver : receivers) {
            receiver.timer().close();
            try {
                receiver.channel().close();
            } catch (IOException e) {
                log.debug("closing {} failed", localAddress, e);
            }
        }
        long deadline = System.nanoTime() + options.closeTimeout().toNanos();
        try {
            for (Receiver receiver : receivers) {
                Thread loop = receiver.loop();
                if (loop.isAlive() && loop != Thread.currentThread()
                        && !loop.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    log.warn("listener {}: receive loop {} did not end within {}", localAddress, loop.getName(),
                            options.closeTimeout());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
