package dev.parley;

import dev.parley.transport.Listener;

import java.net.SocketAddress;
import java.util.Collection;
import java.util.Collections;
import java.util.Set;

/**
 * An endpoint listening for peers on one transport. Thread-safe; {@link #close()} stops accepting,
 * closes every peer gracefully and waits until they have closed, as {@link Listener#close()} does.
 */
public final class Server implements AutoCloseable {

    private final Endpoint endpoint;
    private final Listener listener;
    private final Set<Peer> peers;

    Server(Endpoint endpoint, Listener listener, Set<Peer> peers) {
        this.endpoint = endpoint;
        this.listener = listener;
        this.peers = peers;
    }

    /** The address actually bound (with port 0 requested, the port chosen). */
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    /**
     * How many connections the listener holds right now, counted by the transport: it drops only
     * once a closed connection's slot under {@code maxConnections} is free again.
     */
    public int connectionCount() {
        return listener.connectionCount();
    }

    /** The peers connected right now; a live, unmodifiable view. */
    public Collection<Peer> peers() {
        return Collections.unmodifiableSet(peers);
    }

    /** Sends {@code message} to every connected peer, encoding it once; see {@link Endpoint#broadcast}. */
    public int broadcast(Object message) {
        return endpoint.broadcast(peers, message);
    }

    @Override
    public void close() {
        listener.close();
    }
}
