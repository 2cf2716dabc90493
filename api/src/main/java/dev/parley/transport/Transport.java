package dev.parley.transport;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * Moves whole frames (byte arrays) between two programs, reliably and in order, or reports the
 * connection broken. A transport knows nothing of Kryo or messages: framing and delivery only.
 *
 * <p>Transports are found by name through {@link ServiceLoader}: {@code "tcp"}, {@code "udp"} and
 * {@code "memory"} (in-process, for tests) ship with Parley.
 *
 * <pre>{@code
 * Transport tcp = Transport.byName("tcp");
 * try (Listener listener = tcp.listen(new InetSocketAddress("127.0.0.1", 0), handler)) {
 *     Connection c = tcp.connect(listener.localAddress(), clientHandler);
 *     c.send("hello".getBytes(UTF_8));
 * }
 * }</pre>
 *
 * <p>Implementations are immutable and safe for use by many threads. A transport instance owns no
 * threads or sockets itself; its listeners and connections do, and each is closed on its own.
 */
public interface Transport {

    /** The name this transport is found by, in lower case: {@code "tcp"}, {@code "udp"}, ... */
    String name();

    /** The options every listener and connection of this transport uses. */
    TransportOptions options();

    /**
     * Starts accepting connections at {@code address} (port 0 picks a free port). Each accepted
     * connection is reported to {@code handler}; see {@link ConnectionHandler} for which thread
     * calls it.
     *
     * @throws IOException if the address cannot be bound, for example because the port is taken
     */
    Listener listen(SocketAddress address, ConnectionHandler handler) throws IOException;

    /**
     * Opens a connection to a listener at {@code address}, waiting at most
     * {@link TransportOptions#connectTimeout()}. The handler's {@code onOpen} has run by the time
     * this returns.
     *
     * @throws IOException if the peer cannot be reached, refuses, or does not answer in time
     */
    Connection connect(SocketAddress address, ConnectionHandler handler) throws IOException;

    /**
     * Finds the transport called {@code name} (case-insensitive), with default options.
     *
     * @throws IllegalArgumentException naming the transports that are available, if none matches
     */
    static Transport byName(String name) {
        return byName(name, TransportOptions.defaults());
    }

    /**
     * Finds the transport called {@code name} (case-insensitive) and configures it with
     * {@code options}.
     *
     * @throws IllegalArgumentException naming the transports that are available, if none matches
     */
    static Transport byName(String name, TransportOptions options) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (TransportProvider provider : ServiceLoader.load(TransportProvider.class)) {
            if (provider.name().equals(wanted)) {
                return provider.create(options);
            }
        }
        throw new IllegalArgumentException(
                "no transport named '" + name + "'; available: " + String.join(", ", names()));
    }

    /** The names of every transport on the class path or module path, sorted. */
    static List<String> names() {
        return ServiceLoader.load(TransportProvider.class).stream()
                .map(p -> p.get().name())
                .sorted()
                .toList();
    }
}
