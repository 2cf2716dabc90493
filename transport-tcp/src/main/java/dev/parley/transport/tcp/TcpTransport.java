package dev.parley.transport.tcp;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Objects;

/**
 * Frames over TCP: each frame is a 4-byte length and its payload (see
 * {@link dev.parley.frame.FrameDecoder}), a zero length is a keepalive.
 *
 * <p><b>Threads.</b> Every connection has two threads: a reader, which decodes frames and calls
 * the {@link ConnectionHandler} (so a handler that blocks holds up its own connection and no
 * other), and a virtual writer, which drains the bounded outbound queue and coalesces the queued
 * frames into few {@code write} calls; a {@code send} on a quiet connection skips the queue and
 * writes on the sending thread (see {@code TcpConnection}). Readers are daemon platform threads
 * by default, on both sides: the kernel wakes a blocked platform reader directly, where a virtual
 * one is woken through the JDK's poller thread (shared by every virtual reader, a ceiling on many
 * cores) and then a carrier, and re-registers with the poller before each wait (the benchmark
 * counts three times the system calls and wake-ups per pipelined message with virtual readers on
 * the accepting side). Past {@value ReaderThreads#MAX_PLATFORM_READERS} platform readers in a
 * JVM, readers are virtual whatever was chosen, so ten thousand idle connections stay cheap: the
 * first few hundred connections get the fast path. {@link #withReaderThreads} changes either side
 * (see {@link ReaderThreads}). A listener has one virtual thread that accepts.
 * Nothing is shared between connections; besides the platform readers, only the timers that bound
 * a graceful close and a TLS handshake, and the application's own sending threads, are platform
 * threads.
 *
 * <p><b>TLS.</b> A transport made with {@link #create(TransportOptions, TcpTls)} runs TLS 1.3
 * under the frames of every connection: a listener handshakes on a virtual thread per accepted
 * socket, never on its accept loop, and {@code connect} returns once the handshake succeeded.
 *
 * <p>Limits come from {@link TransportOptions}: a listener refuses sockets past
 * {@code maxConnections} by resetting them at once; the reader fails a connection on which no
 * whole frame or keepalive arrived for {@code idleTimeout}, however many bytes of an unfinished
 * frame trickled in; the writer sends a keepalive after
 * {@code keepAliveInterval} without sending. IPv4 and IPv6 addresses both work.
 *
 * <p>Immutable and thread-safe; owns no threads or sockets itself.
 */
public final class TcpTransport implements Transport {

    /** The name this transport is found by. */
    public static final String NAME = "tcp";

    /** Pending connections the kernel holds for the accept loop; refusing past the cap is ours to do. */
    private static final int BACKLOG = 1024;

    /** Default {@link #connectedReaders()}: few connections per process, where latency shows. */
    public static final ReaderThreads DEFAULT_CONNECTED_READERS = ReaderThreads.PLATFORM;
    /**
     * Default {@link #acceptedReaders()}: platform, for the fewest wake-ups per message; a server
     * with many connections gets virtual readers past the JVM's cap on platform readers.
     */
    public static final ReaderThreads DEFAULT_ACCEPTED_READERS = ReaderThreads.PLATFORM;

    private final TransportOptions options;
    private final TcpTls tls;
    private final ReaderThreads connectedReaders;
    private final ReaderThreads acceptedReaders;

    private TcpTransport(TransportOptions options, TcpTls tls, ReaderThreads connectedReaders,
                         ReaderThreads acceptedReaders) {
        this.options = Objects.requireNonNull(options, "options");
        this.tls = tls;
        this.connectedReaders = Objects.requireNonNull(connectedReaders, "connectedReaders");
        this.acceptedReaders = Objects.requireNonNull(acceptedReaders, "acceptedReaders");
    }

    /**
     * A TCP transport whose listeners and connections use {@code options}, without encryption,
     * with the default reader threads ({@link #DEFAULT_CONNECTED_READERS},
     * {@link #DEFAULT_ACCEPTED_READERS}).
     */
    public static TcpTransport create(TransportOptions options) {
        return new TcpTransport(options, null, DEFAULT_CONNECTED_READERS, DEFAULT_ACCEPTED_READERS);
    }

    /**
     * A TCP transport whose listeners and connections use {@code options} and are all protected
     * by {@code tls}: see {@link TcpTls} for what is checked and how handshakes are bounded.
     * Default reader threads, as {@link #create(TransportOptions)}.
     */
    public static TcpTransport create(TransportOptions options, TcpTls tls) {
        return new TcpTransport(options, Objects.requireNonNull(tls, "tls"),
                DEFAULT_CONNECTED_READERS, DEFAULT_ACCEPTED_READERS);
    }

    /**
     * This transport, but with {@code connected} threads reading the connections it
     * {@code connect}s and {@code accepted} threads reading those its listeners accept. The
     * default is {@code (PLATFORM, PLATFORM)}; a process that wants no kernel thread per
     * connection at all (thousands of mostly idle connections, memory first) passes
     * {@code (VIRTUAL, VIRTUAL)}.
     */
    public TcpTransport withReaderThreads(ReaderThreads connected, ReaderThreads accepted) {
        return new TcpTransport(options, tls, connected, accepted);
    }

    /** The kind of thread that reads each connection {@code connect} opens. */
    public ReaderThreads connectedReaders() {
        return connectedReaders;
    }

    /** The kind of thread that reads each connection a listener accepts. */
    public ReaderThreads acceptedReaders() {
        return acceptedReaders;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportOptions options() {
        return options;
    }

    /** Binds with {@code SO_REUSEADDR}, so a restarted server does not wait out TIME_WAIT. */
    @Override
    public Listener listen(SocketAddress address, ConnectionHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        var serverSocket = new ServerSocket();
        try {
            serverSocket.setReuseAddress(true);
            serverSocket.bind(address, BACKLOG);
        } catch (IOException | RuntimeException e) {
            serverSocket.close();
            throw e;
        }
        return TcpListener.start(serverSocket, handler, options, tls, acceptedReaders);
    }

    /**
     * Connects and, with TLS, runs the handshake, waiting at most
     * {@link TransportOptions#connectTimeout()} for both, then waits for the handler's
     * {@code onOpen} to run on the new connection's reader thread.
     *
     * @throws ConnectException       if nothing listens at {@code address}, or the peer resets
     *                                the connection while it is being set up
     * @throws SocketTimeoutException if the peer does not answer, or finish the TLS handshake,
     *                                within the connect timeout
     * @throws javax.net.ssl.SSLHandshakeException if the TLS handshake fails: the server's
     *                                certificate is not trusted or does not name the host, or the
     *                                server does not speak TLS 1.3
     */
    @Override
    public Connection connect(SocketAddress address, ConnectionHandler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        var socket = new Socket();
        try {
            socket.connect(address, TcpConnection.millis(options.connectTimeout()));
        } catch (SocketException e) {
            // Nothing listens there, or a listener at its connection limit reset us mid-handshake.
            socket.close();
            throw withCause(new ConnectException("connection refused by " + address + ": " + e.getMessage()), e);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw withCause(new SocketTimeoutException("no answer from " + address
                    + " within the connect timeout of " + options.connectTimeout()), e);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        if (tls == null) {
            return TcpConnection.open(socket, socket, handler, options, connectedReaders);
        }
        // Socket.connect took an InetSocketAddress, or it would have thrown.
        var secured = tls.connectHandshake(socket, (InetSocketAddress) address, options.connectTimeout(), deadline);
        return TcpConnection.open(secured, socket, handler, options, connectedReaders);
    }

    private static <E extends IOException> E withCause(E e, Throwable cause) {
        e.initCause(cause);
        return e;
    }
}
