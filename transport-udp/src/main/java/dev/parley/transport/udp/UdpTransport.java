package dev.parley.transport.udp;

import dev.parley.transport.Connection;
import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.Listener;
import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.internal.UdpClient;
import dev.parley.transport.udp.internal.UdpListener;
import dev.parley.transport.udp.internal.UdpTransportName;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * Reliable, ordered frames over UDP, with the guarantees of the TCP transport (every frame once, in
 * order, or the connection reported broken) plus {@link Connection#sendUnreliable} for data that
 * may be dropped. Loss recovery and congestion control follow QUIC's RFC 9002; see the module
 * README for the packet format and the design.
 *
 * <pre>{@code
 * Transport udp = UdpTransport.create(TransportOptions.defaults());
 * try (Listener listener = udp.listen(new InetSocketAddress("127.0.0.1", 0), handler)) {
 *     Connection c = udp.connect(listener.localAddress(), clientHandler);
 *     c.send(bytes);
 * }
 * }</pre>
 *
 * <p>Immutable and thread-safe. Each listener binds {@link UdpOptions#receiveSockets()} sockets to
 * its port, each with one receive thread and one timer thread, and a connection stays on the
 * socket the kernel picked for its client's address; each client connection has its own socket and virtual threads; each connection calls its handler on
 * a virtual thread of its own, never on a receive loop.
 */
public final class UdpTransport implements Transport {

    /** The name this transport is found by. */
    public static final String NAME = UdpTransportName.NAME;

    private final TransportOptions options;
    private final UdpOptions udp;

    private UdpTransport(TransportOptions options, UdpOptions udp) {
        this.options = Objects.requireNonNull(options, "options");
        this.udp = Objects.requireNonNull(udp, "udp");
    }

    /** A UDP transport with {@code options} and the default {@link UdpOptions}. */
    public static UdpTransport create(TransportOptions options) {
        return create(options, UdpOptions.defaults());
    }

    /**
     * A UDP transport with {@code options} and protocol settings {@code udp}.
     *
     * @throws IllegalArgumentException if the receive window cannot hold a frame of the maximum length
     */
    public static UdpTransport create(TransportOptions options, UdpOptions udp) {
        if (udp.receiveWindowBytes() < options.maxFrameLength()) {
            throw new IllegalArgumentException("receiveWindowBytes (" + udp.receiveWindowBytes()
                    + ") must hold a frame of maxFrameLength (" + options.maxFrameLength() + ") bytes");
        }
        return new UdpTransport(options, udp);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TransportOptions options() {
        return options;
    }

    /** The protocol settings. */
    public UdpOptions udpOptions() {
        return udp;
    }

    @Override
    public Listener listen(SocketAddress address, ConnectionHandler handler) throws IOException {
        return UdpListener.bind(address, handler, options, udp);
    }

    @Override
    public Connection connect(SocketAddress address, ConnectionHandler handler) throws IOException {
        return UdpClient.connect(address, handler, options, udp);
    }
}
