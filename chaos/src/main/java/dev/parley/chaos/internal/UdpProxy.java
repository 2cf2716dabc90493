package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Ticker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A UDP proxy, which Toxiproxy lacks. Each client address gets a socket of its own towards the
 * upstream, so that replies find their way back; datagrams in each direction go through that
 * client's {@link UdpImpairment} and then wait, in order of their due time, for the one sender.
 *
 * <p><b>Threads.</b> One virtual thread receives from clients, one per client receives from the
 * upstream, and one sends whatever is due. At most {@value #MAX_CLIENTS} clients and
 * {@value #MAX_IN_FLIGHT} delayed datagrams are kept; past that, datagrams are dropped, as a full
 * router queue would. Clients are forgotten when the proxy is disabled.
 */
public final class UdpProxy extends AbstractProxy {

    static final int MAX_CLIENTS = 4096;
    static final int MAX_IN_FLIGHT = 65_536;
    private static final int MAX_DATAGRAM = 65_535;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final Logger log = LoggerFactory.getLogger(UdpProxy.class);

    private record Pending(long due, long order, DatagramSocket via, SocketAddress to, byte[] data) {
    }

    /** One client: its socket towards the upstream, and the impairment of each direction. */
    private final class Client {
        final SocketAddress address;
        final DatagramSocket upstreamSocket;
        final UdpImpairment up = new UdpImpairment(newRandom());
        final UdpImpairment down = new UdpImpairment(newRandom());

        Client(SocketAddress address) throws IOException {
            this.address = address;
            this.upstreamSocket = new DatagramSocket();
        }
    }

    private final Map<SocketAddress, Client> clients = new ConcurrentHashMap<>();
    private final ReentrantLock queueLock = new ReentrantLock();
    private final Condition queued = queueLock.newCondition();
    private final PriorityQueue<Pending> queue = new PriorityQueue<>(
            (a, b) -> a.due() != b.due() ? Long.compare(a.due(), b.due()) : Long.compare(a.order(), b.order()));
    private long order;
    private volatile DatagramSocket front;
    private volatile Thread sender;
    private volatile Thread receiver;

    public UdpProxy(String name, InetSocketAddress listen, String upstream, Ticker ticker, long seed) {
        super(name, Protocol.UDP, listen, upstream, ticker, seed);
    }

    @Override
    public int connectionCount() {
        return clients.size();
    }

    @Override
    protected InetSocketAddress bind(InetSocketAddress address) throws IOException {
        var socket = new DatagramSocket(null);
        socket.setReuseAddress(true);
        socket.bind(address);
        front = socket;
        receiver = Thread.ofVirtual().name("chaos-udp-front-" + name()).start(() -> receiveFromClients(socket));
        sender = Thread.ofVirtual().name("chaos-udp-send-" + name()).start(() -> send(socket));
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    protected void unbind() {
        TcpProxy.closeQuietly(front);
        front = null;
        TcpProxy.awaitEnd(receiver);
        for (Client client : clients.values()) {
            client.upstreamSocket.close();
        }
        clients.clear();
        Thread stopping = sender;
        if (stopping != null) {
            stopping.interrupt();
        }
        queueLock.lock();
        try {
            queue.clear();
        } finally {
            queueLock.unlock();
        }
    }

    @Override
    protected void toxicsChanged() {
        // Every datagram reads the toxic list as it passes; nothing is armed ahead of time.
    }

    private void receiveFromClients(DatagramSocket socket) {
        var packet = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);
        InetSocketAddress upstream = Addresses.parse(upstream());
        var target = new InetSocketAddress(upstream.getHostString(), upstream.getPort());
        while (!socket.isClosed()) {
            try {
                socket.receive(packet);
            } catch (IOException e) {
                return;
            }
            if (socket != front) {
                // Closed, or replaced by a new bind, while this datagram was on its way: a proxy
                // that is down forwards nothing.
                return;
            }
            Client client = client(packet.getSocketAddress());
            if (client != null) {
                byte[] data = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getLength());
                impair(client.up, Direction.UPSTREAM, data, client.upstreamSocket, target);
            }
        }
    }

    private Client client(SocketAddress address) {
        Client known = clients.get(address);
        if (known != null || clients.size() >= MAX_CLIENTS) {
            return known;
        }
        try {
            var client = new Client(address);
            clients.put(address, client);
            Thread.ofVirtual().name("chaos-udp-back-" + name()).start(() -> receiveFromUpstream(client));
            return client;
        } catch (IOException e) {
            log.warn("proxy {}: no socket for client {}", name(), address, e);
            return null;
        }
    }

    private void receiveFromUpstream(Client client) {
        var packet = new DatagramPacket(new byte[MAX_DATAGRAM], MAX_DATAGRAM);
        while (!client.upstreamSocket.isClosed()) {
            try {
                client.upstreamSocket.receive(packet);
            } catch (IOException e) {
                return;
            }
            DatagramSocket socket = front;
            if (socket == null || clients.get(client.address) != client) {
                return;
            }
            byte[] data = Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getLength());
            impair(client.down, Direction.DOWNSTREAM, data, socket, client.address);
        }
    }

    private void impair(UdpImpairment impairment, Direction direction, byte[] data, DatagramSocket via,
                        SocketAddress to) {
        var emissions = impairment.apply(data, ticker().nanoTime(), toxics(direction));
        queueLock.lock();
        try {
            for (var emission : emissions) {
                if (queue.size() < MAX_IN_FLIGHT) {
                    queue.add(new Pending(emission.due(), order++, via, to, emission.data()));
                }
            }
            queued.signalAll();
        } finally {
            queueLock.unlock();
        }
    }

    private void send(DatagramSocket socket) {
        try {
            while (!socket.isClosed()) {
                Pending next = nextDue();
                if (next == null) {
                    continue;
                }
                try {
                    next.via().send(new DatagramPacket(next.data(), next.data().length, next.to()));
                } catch (IOException e) {
                    log.debug("proxy {}: a datagram to {} could not be sent", name(), next.to(), e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The datagram due now, waiting for one; null if the wait should be re-checked first. */
    private Pending nextDue() throws InterruptedException {
        long wakeAt;
        queueLock.lock();
        try {
            while (queue.isEmpty()) {
                queued.await();
            }
            long now = ticker().nanoTime();
            if (queue.peek().due() <= now) {
                return queue.poll();
            }
            wakeAt = Math.min(queue.peek().due(), now + POLL_NANOS);
        } finally {
            queueLock.unlock();
        }
        ticker().sleepUntil(wakeAt);
        return null;
    }
}
