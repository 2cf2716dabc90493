package dev.parley.transport;

import java.net.SocketAddress;

/**
 * A bound server socket (or its equivalent) accepting connections for one {@link Transport}.
 *
 * <p>{@link #close()} stops accepting and closes every connection it accepted, gracefully; it
 * never blocks longer than {@link TransportOptions#closeTimeout()}. Thread-safe.
 */
public interface Listener extends AutoCloseable {

    /** The address actually bound; with port 0 requested, this names the port chosen. */
    SocketAddress localAddress();

    /** How many accepted connections are open right now. */
    int connectionCount();

    /** Stops accepting and closes all accepted connections. Idempotent. */
    @Override
    void close();
}
