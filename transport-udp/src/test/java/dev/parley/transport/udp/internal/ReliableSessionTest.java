package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** A session fed hand-made packets: what a hostile or broken peer could send. */
class ReliableSessionTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("10.0.0.1", 40_000);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7_000);

    private final UdpOptions udp = UdpOptions.defaults();
    private final TransportOptions options = TransportOptions.defaults();
    private final SimulatedNetwork network = new SimulatedNetwork(1, new SimulatedNetwork.Conditions(0, 0, 0,
            TimeUnit.MILLISECONDS.toNanos(5), 0));
    private final SessionPeer client = SessionPeer.client(network, CLIENT, SERVER, udp, options, List.of(new byte[]{1}));
    private final SessionPeer server = SessionPeer.server(network, SERVER, CLIENT, udp, options, List.of());

    ReliableSessionTest() {
        client.finishWhenSent = false;
        server.finishWhenSent = false;
        network.runUntil(() -> server.received.size() == 1, TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void dropsAndCountsAPacketAcknowledgingPacketsNeverSent() {
        long sent = server.session.details().get("packetsSent");
        byte[] forged = dataPacket(client.session.peerId(), 1_000,
                w -> w.ack(List.of(new Frame.Range(0, sent + 1_000)), 0, 1 << 20, 64));

        server.session.onDatagram(forged, forged.length, network.now());

        assertThat(server.session.details().get("forgedAcks")).isEqualTo(1);
        assertThat(server.session.isOpen()).isTrue();
        assertThat(server.session.details().get("bytesInFlight")).isZero();
    }

    @Test
    void countsAPacketWithABadChecksumAndCarriesOn() {
        byte[] packet = dataPacket(server.session.localId(), 1_000, PacketCodec.Writer::ping);
        packet[12] ^= 0x10;

        server.session.onDatagram(packet, packet.length, network.now());

        assertThat(server.session.details().get("checksumFailures")).isEqualTo(1);
        assertThat(server.session.isOpen()).isTrue();
    }

    @Test
    void suppressesADuplicatePacket() {
        byte[] packet = dataPacket(server.session.localId(), 1_000, PacketCodec.Writer::ping);

        server.session.onDatagram(packet, packet.length, network.now());
        server.session.onDatagram(packet, packet.length, network.now());

        assertThat(server.session.details().get("duplicates")).isEqualTo(1);
    }

    @Test
    void closesWithAProtocolErrorWhenThePeerAnnouncesAFrameOverTheLimit() {
        byte[] packet = dataPacket(server.session.localId(), 1_000, w -> {
            byte[] huge = new byte[options.maxFrameLength() + 1];
            w.chunk(1, huge, 0, 100);
        });

        server.session.onDatagram(packet, packet.length, network.now());

        assertThat(server.terminated).isTrue();
        assertThat(server.cause.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        network.runUntil(() -> client.terminated, TimeUnit.SECONDS.toNanos(5));
        assertThat(client.cause.reason()).isEqualTo(Reason.RESET_BY_PEER);
    }

    @Test
    void growsItsPacketBufferOnlyForDataThatNeedsItAndShrinksItOnceQuietForASecond() {
        int control = PacketCodec.Writer.CONTROL_PACKET_BYTES;
        assertThat(client.session.packetBufferBytes()).as("a one-byte frame fits the smallest buffer").isEqualTo(control);
        assertThat(server.session.packetBufferBytes()).as("acknowledging needs no more").isEqualTo(control);

        client.session.send(new byte[100_000]);
        client.session.flush(network.now());
        assertThat(client.session.packetBufferBytes()).as("sending data").isEqualTo(udp.maxPacketSize());
        assertThat(network.runUntil(() -> server.received.size() == 2, TimeUnit.SECONDS.toNanos(5))).isTrue();
        assertThat(server.received.get(1)).hasSize(100_000);

        client.session.send(new byte[10]);
        client.session.flush(network.now());
        assertThat(client.session.packetBufferBytes()).as("kept while the flow pauses briefly").isEqualTo(udp.maxPacketSize());
        assertThat(network.runUntil(() -> client.session.packetBufferBytes() == control, TimeUnit.SECONDS.toNanos(60)))
                .as("dropped at a keepalive once quiet for a second").isTrue();
        assertThat(server.session.packetBufferBytes()).isEqualTo(control);
    }

    private static byte[] dataPacket(long connectionId, long packetNumber,
                                     Consumer<PacketCodec.Writer> frames) {
        var writer = new PacketCodec.Writer(1200);
        writer.begin(connectionId, packetNumber);
        frames.accept(writer);
        int length = writer.finish();
        return Arrays.copyOf(writer.buffer(), length);
    }
}
