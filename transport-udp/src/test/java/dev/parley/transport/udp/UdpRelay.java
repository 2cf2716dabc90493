package dev.parley.transport.udp;

import dev.parley.transport.udp.internal.MalformedPacketException;
import dev.parley.transport.udp.internal.PacketCodec;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP relay on loopback between one client and a server, for tests: forwards both ways until
 * {@link #blackhole()} makes the server vanish (nothing passes any more, in either direction).
 * Its loop is a virtual thread that ends when the relay is closed.
 */
final class UdpRelay implements AutoCloseable {

    private final DatagramChannel channel;
    private final InetSocketAddress server;
    private volatile SocketAddress client;
    private volatile boolean blackhole;
    private volatile long serverConnectionId;

    UdpRelay(InetSocketAddress server) throws IOException {
        this.server = server;
        this.channel = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().name("udp-relay").start(this::run);
    }

    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** The connection id the client's last packet addressed: what an eavesdropper on the path learns. */
    long serverConnectionId() {
        return serverConnectionId;
    }

    void blackhole() {
        blackhole = true;
    }

    private void run() {
        ByteBuffer buf = ByteBuffer.allocate(65_536);
        while (channel.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = channel.receive(buf);
                buf.flip();
                if (blackhole) {
                    continue;
                }
                if (from.equals(server)) {
                    if (client != null) {
                        channel.send(buf, client);
                    }
                } else {
                    client = from;
                    try {
                        serverConnectionId = PacketCodec.decode(buf.array(), buf.limit()).connectionId();
                    } catch (MalformedPacketException e) {
                        // forwarded all the same: the server decides what to do with it
                    }
                    channel.send(buf, server);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
