package dev.parley.transport.memory;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.TransportOptions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;

/** A memory "port" accepting connections. Thread-safe. */
final class MemoryListener implements Listener {

    private final InetSocketAddress address;
    private final ConnectionHandler handler;
    private final TransportOptions options;
    private final IntConsumer unregister;
    private final Set<MemoryConnection> connections = ConcurrentHashMap.newKeySet();
    private final Semaphore permits;
    private volatile boolean closed;

    MemoryListener(InetSocketAddress address, ConnectionHandler handler, TransportOptions options,
                   IntConsumer unregister) {
        this.address = address;
        this.handler = handler;
        this.options = options;
        this.unregister = unregister;
        this.permits = new Semaphore(options.maxConnections());
    }

    /** Connects a client end to a new server end; returns once the client's onOpen has run. */
    MemoryConnection accept(ConnectionHandler clientHandler, TransportOptions clientOptions) throws IOException {
        if (closed) {
            throw new ConnectException("connection refused: memory listener " + address + " is closed");
        }
        // Taking a permit, not comparing the set's size, so concurrent connects cannot all slip in.
        if (!permits.tryAcquire()) {
            throw new ConnectException("connection refused: memory listener " + address
                    + " is at its limit of " + options.maxConnections() + " connections");
        }
        var clientAddress = new InetSocketAddress(address.getAddress(), 0);
        var client = new MemoryConnection(clientHandler, clientOptions, clientAddress, address);
        var server = new MemoryConnection(handler, options, address, clientAddress);
        connections.add(server);
        server.closeFuture().whenComplete((cause, e) -> {
            permits.release();
            connections.remove(server);
        });
        MemoryConnection.pair(client, server);
        if (closed) {
            // close() ran while this connection was being made and may not have seen it.
            server.shutdown(shutdownCause());
        }
        return client;
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    private ConnectionClosedException shutdownCause() {
        return new ConnectionClosedException(Reason.SHUTDOWN, "listener " + address + " closed");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unregister.accept(address.getPort());
        for (MemoryConnection c : connections) {
            c.shutdown(shutdownCause());
        }
    }
}
