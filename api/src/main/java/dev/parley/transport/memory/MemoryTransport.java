package dev.parley.transport.memory;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process transport for tests: no sockets, the same guarantees (ordered, reliable, bounded
 * queues with backpressure, graceful close and abort).
 *
 * <p>Addresses are {@link InetSocketAddress}es whose port is the key; port 0 picks a free one, so
 * a test written for TCP runs unchanged here. Listeners are visible to every {@code MemoryTransport}
 * in the JVM, like ports on loopback. Idle timeouts and keepalives do not apply: an in-process
 * peer cannot vanish silently.
 *
 * <p>Each connection end has one virtual thread that delivers the other end's frames to its
 * handler, so a blocked handler holds up only its own connection.
 */
public final class MemoryTransport implements Transport {

    /** The name this transport is found by. */
    public static final String NAME = "memory";

    private static final ConcurrentMap<Integer, MemoryListener> LISTENERS = new ConcurrentHashMap<>();
    private static final AtomicInteger NEXT_PORT = new AtomicInteger(40_000);

    private final TransportOptions options;

    private MemoryTransport(TransportOptions options) {
        this.options = options;
    }

    /** A memory transport with {@code options}. */
    public static MemoryTransport create(TransportOptions options) {
        return new MemoryTransport(options);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportOptions options() {
        return options;
    }

    @Override
    public Listener listen(SocketAddress address, ConnectionHandler handler) throws IOException {
        int port = port(address);
        InetSocketAddress bound;
        MemoryListener listener;
        if (port == 0) {
            do {
                bound = new InetSocketAddress(InetAddress.getLoopbackAddress(), NEXT_PORT.incrementAndGet());
                listener = new MemoryListener(bound, handler, options, LISTENERS::remove);
            } while (LISTENERS.putIfAbsent(bound.getPort(), listener) != null);
        } else {
            bound = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            listener = new MemoryListener(bound, handler, options, LISTENERS::remove);
            if (LISTENERS.putIfAbsent(port, listener) != null) {
                throw new BindException("memory port " + port + " is already in use");
            }
        }
        return listener;
    }

    @Override
    public Connection connect(SocketAddress address, ConnectionHandler handler) throws IOException {
        MemoryListener listener = LISTENERS.get(port(address));
        if (listener == null) {
            throw new ConnectException("connection refused: nothing listens at memory " + address);
        }
        return listener.accept(handler, options);
    }

    private static int port(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            throw new IllegalArgumentException("memory transport addresses are InetSocketAddresses, got " + address);
        }
        return inet.getPort();
    }
}
