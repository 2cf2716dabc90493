package dev.parley.transport.tcp;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.TransportOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;

/**
 * A bound server socket and its accept loop, which runs on one virtual thread.
 *
 * <p>A semaphore with {@code maxConnections} permits caps the connections open at once: a socket
 * accepted when no permit is left is reset at once, so the client learns quickly and the open
 * connections are not affected. A connection gives its permit back when it has closed.
 *
 * <p>{@link #close()} closes the server socket, which ends the accept loop, and starts a graceful
 * close ({@link Reason#SHUTDOWN}) of every accepted connection; it does not wait for them, since
 * it may be called from a handler, on one of their own reader threads. Each connection's close is
 * bounded by the close timeout. Thread-safe.
 */
final class TcpListener implements Listener {

    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);

    private final ServerSocket serverSocket;
    private final SocketAddress address;
    private final ConnectionHandler handler;
    private final TransportOptions options;
    private final Semaphore permits;
    private final Set<TcpConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TcpListener(ServerSocket serverSocket, ConnectionHandler handler, TransportOptions options) {
        this.serverSocket = serverSocket;
        this.address = serverSocket.getLocalSocketAddress();
        this.handler = handler;
        this.options = options;
        this.permits = new Semaphore(options.maxConnections());
    }

    /** Starts accepting on the bound {@code serverSocket}. */
    static TcpListener start(ServerSocket serverSocket, ConnectionHandler handler, TransportOptions options) {
        var listener = new TcpListener(serverSocket, handler, options);
        Thread.ofVirtual().name("parley-tcp-accept-" + serverSocket.getLocalPort()).start(listener::acceptLoop);
        log.debug("listening on {}", listener.address);
        return listener;
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("listener {}: accept failed; no longer accepting", address, e);
                    close();
                }
                return;
            }
            if (permits.tryAcquire()) {
                register(socket);
            } else {
                log.debug("listener {}: refused {}, already {} connections open",
                        address, socket.getRemoteSocketAddress(), options.maxConnections());
                reset(socket);
            }
        }
    }

    private void register(Socket socket) {
        TcpConnection connection;
        try {
            connection = new TcpConnection(socket, handler, options);
        } catch (IOException e) {
            log.debug("listener {}: could not set up {}", address, socket.getRemoteSocketAddress(), e);
            permits.release();
            reset(socket);
            return;
        }
        connections.add(connection);
        connection.closeFuture().whenComplete((cause, e) -> {
            // Release first: once the count drops, a new connection must be admitted.
            permits.release();
            connections.remove(connection);
        });
        connection.start();
        if (closed) {
            // close() may have looked at the set before this connection joined it.
            connection.shutdown(shutdownCause());
        }
    }

    private static void reset(Socket socket) {
        try (socket) {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            log.debug("resetting {} failed", socket, e);
        }
    }

    private ConnectionClosedException shutdownCause() {
        return new ConnectionClosedException(Reason.SHUTDOWN, "listener " + address + " closed");
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    @Override
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.debug("listener {}: closing the server socket failed", address, e);
        }
        for (TcpConnection connection : connections) {
            connection.shutdown(shutdownCause());
        }
        log.debug("listener {} closed", address);
    }
}
