package dev.parley.examples.shutdown;

import dev.parley.Endpoint;
import dev.parley.Peer;
import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.Transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * A client that waits to be told the server is going down, then for the connection to end. The
 * notice is handled on the connection's delivery thread, which completes {@link #notice()}.
 * Thread-safe.
 */
public final class ShutdownClient implements AutoCloseable {

    private final CompletableFuture<ShuttingDown> notice = new CompletableFuture<>();
    private final Peer peer;

    private ShutdownClient(Transport transport, SocketAddress server) throws IOException {
        this.peer = Endpoint.builder(ShuttingDown.codec())
                .on(ShuttingDown.class, (peer, shuttingDown) -> notice.complete(shuttingDown))
                // Closed without a word first: the notice fails with how the connection ended.
                .onClose((peer, cause) -> notice.completeExceptionally(cause))
                .build()
                .connect(transport, server);
    }

    /**
     * Connects to a shutdown server.
     *
     * @throws IOException if it cannot be reached
     */
    public static ShutdownClient connect(Transport transport, SocketAddress server) throws IOException {
        return new ShutdownClient(transport, server);
    }

    /** Completes with the server's notice, or fails with the close cause if the connection ended without one. */
    public CompletableFuture<ShuttingDown> notice() {
        return notice;
    }

    /** Completes with how the connection ended; graceful when the server closed it cleanly. */
    public CompletableFuture<ConnectionClosedException> closed() {
        return peer.closeFuture();
    }

    @Override
    public void close() {
        peer.close();
    }
}
