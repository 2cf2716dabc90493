package dev.parley.transport.tcp;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.spi.AbstractListener;
import dev.parley.transport.spi.FrameBudget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Duration;
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
 * <p>With TLS, the accept loop hands each accepted socket to a virtual thread of its own that
 * runs the handshake (bounded by the connect timeout) and only then creates the connection; a
 * failed handshake resets the socket and gives the permit back, and the handler never hears of
 * it. Closing the listener resets the sockets still handshaking.
 *
 * <p>Its lifecycle is {@link AbstractListener}'s. Stopping accepting closes the server socket and
 * waits for the accept loop to end (the JDK releases a socket that a thread is blocked on only
 * when that thread wakes, and until then the kernel still completes handshakes on the port), and
 * resets the sockets still handshaking. Thread-safe.
 */
final class TcpListener extends AbstractListener {

    private static final Logger log = LoggerFactory.getLogger(TcpListener.class);
    private static final Duration ACCEPT_RETRY_PAUSE = Duration.ofMillis(100);

    private final ServerSocket serverSocket;
    private final SocketAddress address;
    private final ConnectionHandler handler;
    private final TransportOptions options;
    private final TcpTls tls;
    private final ReaderThreads readers;
    private final Semaphore permits;
    /** Shared by the readers of every connection: what their frames under way may hold. */
    private final FrameBudget frameBudget;
    /** Accepted TCP sockets whose TLS handshake is under way. */
    private final Set<Socket> handshaking = ConcurrentHashMap.newKeySet();
    private final Thread acceptThread;

    private TcpListener(ServerSocket serverSocket, ConnectionHandler handler, TransportOptions options, TcpTls tls,
                        ReaderThreads readers) {
        super(options);
        this.serverSocket = serverSocket;
        this.address = serverSocket.getLocalSocketAddress();
        this.handler = handler;
        this.options = options;
        this.tls = tls;
        this.readers = readers;
        this.permits = new Semaphore(options.maxConnections());
        this.frameBudget = FrameBudget.of(options.maxUnfinishedFrameBytes());
        this.acceptThread = Thread.ofVirtual().name("parley-tcp-accept-" + serverSocket.getLocalPort())
                .unstarted(this::acceptLoop);
    }

    /**
     * Starts accepting on the bound {@code serverSocket}; {@code tls} null means plain TCP;
     * {@code readers} read the accepted connections.
     */
    static TcpListener start(ServerSocket serverSocket, ConnectionHandler handler, TransportOptions options, TcpTls tls,
                             ReaderThreads readers) {
        var listener = new TcpListener(serverSocket, handler, options, tls, readers);
        listener.acceptThread.start();
        log.debug("listening on {}", listener.address);
        return listener;
    }

    private void acceptLoop() {
        while (!isShutdown()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (isShutdown() || !pauseAfterFailedAccept(e)) {
                    return;
                }
                continue;
            }
            if (!permits.tryAcquire()) {
                log.debug("listener {}: refused {}, already {} connections open",
                        address, socket.getRemoteSocketAddress(), options.maxConnections());
                reset(socket);
            } else if (tls == null) {
                register(socket, socket);
            } else {
                startHandshake(socket);
            }
        }
    }

    /**
     * Runs the TLS handshake on a virtual thread of its own, so that a client slow to handshake
     * holds up nobody, then registers the connection. The connect timeout bounds the handshake.
     */
    private void startHandshake(Socket tcpSocket) {
        handshaking.add(tcpSocket);
        Thread.ofVirtual().name("parley-tcp-handshake-" + tcpSocket.getPort()).start(() -> {
            Socket secured;
            try {
                secured = tls.acceptHandshake(tcpSocket, options.connectTimeout());
            } catch (IOException | RuntimeException e) {
                log.debug("listener {}: {}", address, e.getMessage());
                permits.release();
                reset(tcpSocket);
                return;
            } finally {
                handshaking.remove(tcpSocket);
            }
            register(secured, tcpSocket);
        });
    }

    /**
     * A failed accept while open is usually passing (the process is out of file descriptors, a
     * client reset before we accepted): keep listening, without spinning.
     *
     * @return false if the accept thread was interrupted and should stop
     */
    private boolean pauseAfterFailedAccept(IOException e) {
        log.warn("listener {}: accept failed; retrying in {}", address, ACCEPT_RETRY_PAUSE, e);
        try {
            Thread.sleep(ACCEPT_RETRY_PAUSE);
            return true;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Serves {@code socket}, layered over {@code tcpSocket} or the same socket; see {@link TcpConnection}. */
    private void register(Socket socket, Socket tcpSocket) {
        TcpConnection connection;
        try {
            connection = new TcpConnection(socket, tcpSocket, handler, options, readers, frameBudget);
        } catch (IOException e) {
            log.debug("listener {}: could not set up {}", address, socket.getRemoteSocketAddress(), e);
            permits.release();
            reset(tcpSocket);
            return;
        }
        // The permit goes back before the connection stops counting: once the count drops, a new
        // connection must be admitted.
        track(connection, permits::release);
        connection.start();
    }

    /** Closes {@code socket} with a reset (RST); safe from any thread, whatever a TLS socket over it is doing. */
    static void reset(Socket socket) {
        try (socket) {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            log.debug("resetting {} failed", socket, e);
        }
    }

    /** Returns once the port is really closed, or after the close timeout. */
    private void awaitAcceptLoop() {
        try {
            if (!acceptThread.join(options.closeTimeout())) {
                log.warn("listener {}: the accept loop did not end within {}", address, options.closeTimeout());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public SocketAddress localAddress() {
        return address;
    }

    /** Closes the server socket, waits for the accept loop, and resets the sockets still handshaking. */
    @Override
    protected void stopAccepting() {
        try {
            serverSocket.close();
        } catch (IOException e) {
            log.debug("listener {}: closing the server socket failed", address, e);
        }
        awaitAcceptLoop();
        handshaking.forEach(TcpListener::reset);
    }

    /** Nothing more: the server socket closed when accepting stopped, and connections own their threads. */
    @Override
    protected void release() {
        log.debug("listener {} terminated", address);
    }
}
