package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionHandler;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

/**
 * Opens client connections: each has its own connected {@link DatagramChannel}, its own receive
 * loop and its own {@link TimerLoop}, all on virtual threads that end when the connection is gone.
 * Stateless; any thread.
 */
public final class UdpClient {

    private static final Logger log = LoggerFactory.getLogger(UdpClient.class);
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private UdpClient() {
    }

    /** Connects to {@code address}; returns once the handler's {@code onOpen} has run. */
    public static UdpConnection connect(SocketAddress address, ConnectionHandler handler, TransportOptions options,
                                        UdpOptions udp) throws IOException {
        if (!(address instanceof InetSocketAddress remote) || remote.isUnresolved()) {
            throw new IllegalArgumentException("udp addresses are resolved InetSocketAddresses, got " + address);
        }
        DatagramChannel channel = DatagramChannel.open();
        UdpConnection connection;
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.connect(remote);
            var local = (InetSocketAddress) channel.getLocalAddress();
            var timer = new TimerLoop(Thread.ofVirtual().name("parley-udp-timer-" + local.getPort()));
            var peerOptions = udp.forPeer(remote.getAddress(), channel.getOption(StandardSocketOptions.SO_RCVBUF));
            connection = new UdpConnection(handler, options, peerOptions, local, remote, timer, () -> {
                timer.close();
                closeQuietly(channel);
            });
            long localId;
            do {
                localId = RANDOM.nextLong();
            } while (localId == 0);
            Thread.ofVirtual().name("parley-udp-receive-" + local.getPort()).start(() -> receiveLoop(channel, connection));
            connection.startClient(localId, (buf, len) -> write(channel, buf, len));
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        try {
            connection.awaitOpen(options.connectTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (IOException e) {
            closeQuietly(channel);
            throw e;
        }
        return connection;
    }

    private static void receiveLoop(DatagramChannel channel, UdpConnection connection) {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (channel.isOpen()) {
            try {
                buf.clear();
                channel.read(buf);
            } catch (PortUnreachableException e) {
                connection.onUnreachable();
                continue;
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.debug("receive failed on {}; carrying on", connection, e);
                continue;
            }
            try {
                Packet packet = PacketCodec.decode(buf.array(), buf.position());
                connection.onPacket(packet, System.nanoTime());
            } catch (MalformedPacketException e) {
                connection.onMalformed(e.kind());
            } catch (RuntimeException e) {
                log.warn("dropped a datagram on {} that broke its handling", connection, e);
            }
        }
    }

    private static void write(DatagramChannel channel, byte[] buf, int length) {
        try {
            Datagrams.send(channel, ByteBuffer.wrap(buf, 0, length), channel.getRemoteAddress());
        } catch (IOException e) {
            log.debug("send on {} failed; the packet counts as lost", channel, e);
        }
    }

    private static void closeQuietly(DatagramChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing {} failed", channel, e);
        }
    }
}
