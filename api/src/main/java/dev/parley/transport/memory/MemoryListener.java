package dev.parley.transport.memory;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractListener;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Semaphore;
import java.util.function.IntConsumer;

/** A memory "port" accepting connections; its lifecycle is {@link AbstractListener}'s. Thread-safe. */
final class MemoryListener extends AbstractListener {

    private final InetSocketAddress address;
    private final ConnectionHandler handler;
    private final TransportOptions options;
    private final IntConsumer unregister;
    private final Semaphore permits;

    MemoryListener(InetSocketAddress address, ConnectionHandler handler, TransportOptions options,
                   IntConsumer unregister) {
        super(options);
        this.address = address;
        this.handler = handler;
        this.options = options;
        this.unregister = unregister;
        this.permits = new Semaphore(options.maxConnections());
    }

    /** Connects a client end to a new server end; returns once the client's onOpen has run. */
    MemoryConnection accept(ConnectionHandler clientHandler, TransportOptions clientOptions) throws IOException {
        if (isShutdown()) {
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
        // Tracked before the pair starts, so a shutdown from here on closes it too.
        track(server, permits::release);
        MemoryConnection.pair(client, server);
        return client;
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    /** Takes the port off the transport's table: connects find nobody listening. */
    @Override
    protected void stopAccepting() {
        unregister.accept(address.getPort());
    }

    /** Nothing: a memory listener holds no sockets or threads of its own. */
    @Override
    protected void release() {
    }
}
