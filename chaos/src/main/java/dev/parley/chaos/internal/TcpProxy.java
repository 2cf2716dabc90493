package dev.parley.chaos.internal;

import dev.parley.chaos.Direction;
import dev.parley.chaos.Protocol;
import dev.parley.chaos.Ticker;
import dev.parley.chaos.Toxic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy with Toxiproxy's toxics. Each accepted client gets a {@link TcpLink} to the
 * upstream. One virtual thread accepts; each link has its own (see {@link TcpLink}).
 */
public final class TcpProxy extends AbstractProxy {

    private static final Logger log = LoggerFactory.getLogger(TcpProxy.class);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(2);

    private final Set<TcpLink> links = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket server;
    private volatile Thread acceptor;

    public TcpProxy(String name, InetSocketAddress listen, String upstream, Ticker ticker, long seed) {
        super(name, Protocol.TCP, listen, upstream, ticker, seed);
    }

    @Override
    public int connectionCount() {
        return links.size();
    }

    @Override
    protected InetSocketAddress bind(InetSocketAddress address) throws IOException {
        var socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address);
        server = socket;
        acceptor = Thread.ofVirtual().name("chaos-accept-" + name()).start(() -> accept(socket));
        return (InetSocketAddress) socket.getLocalSocketAddress();
    }

    @Override
    protected void unbind() {
        closeQuietly(server);
        awaitEnd(acceptor);
        for (TcpLink link : links) {
            link.close();
        }
    }

    @Override
    protected void toxicsChanged() {
        for (TcpLink link : links) {
            link.toxicsChanged();
        }
    }

    /** The toxics acting in {@code direction}; for the links. */
    List<Toxic> toxicsFor(Direction direction) {
        return toxics(direction);
    }

    /** Whether {@code toxic} is still on the proxy; for the links' timers. */
    boolean stillHas(Toxic toxic) {
        return has(toxic);
    }

    Ticker clock() {
        return ticker();
    }

    void closed(TcpLink link) {
        links.remove(link);
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("proxy {}: accept failed, the proxy stops listening", name(), e);
                    closeQuietly(socket);
                }
                return;
            }
            var link = new TcpLink(this, client, newRandom());
            links.add(link);
            if (socket.isClosed()) {
                link.close();
            } else {
                link.start();
            }
        }
    }

    /**
     * Waits (a bounded time) for the thread that served a socket just closed. The JDK closes a
     * socket that a virtual thread is blocked on only once that thread has left it; until then
     * the port still listens and takes in connections, so a proxy is not down until this returns.
     */
    static void awaitEnd(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            if (!thread.join(CLOSE_WAIT)) {
                log.warn("{} still runs {} after its socket was closed", thread.getName(), CLOSE_WAIT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.debug("close failed", e);
        }
    }
}
