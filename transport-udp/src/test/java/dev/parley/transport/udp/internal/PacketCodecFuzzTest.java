package dev.parley.transport.udp.internal;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Feeds arbitrary packets to the UDP packet parser and, when they parse as an INITIAL, to the
 * stateless server handshake. The fuzzed bytes get a valid CRC32C appended, so the fuzzer explores
 * the parser rather than the checksum (which is tested on its own in {@link PacketCodecTest}). A
 * packet must parse or be refused with {@link MalformedPacketException}; a handshake reply must
 * never be larger than three times the packet it answers (no amplification). Any other exception,
 * error or hang is a finding. Runs its committed inputs in every build; see SECURITY.md for fuzzing
 * it for longer.
 */
class PacketCodecFuzzTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40_000);
    private static final ServerHandshake HANDSHAKE =
            new ServerHandshake(new HandshakeCookies(new byte[32], TimeUnit.SECONDS.toNanos(10)));

    @FuzzTest(maxDuration = "2m")
    void parsesAnyChecksummedPacketOrRefusesItAndNeverAmplifies(byte[] body) {
        byte[] packet = checksummed(body);
        Packet parsed;
        try {
            parsed = PacketCodec.decode(packet, packet.length);
        } catch (MalformedPacketException refused) {
            return;
        }
        if (parsed instanceof Packet.Initial initial
                && HANDSHAKE.onInitial(initial, CLIENT, 0) instanceof ServerHandshake.Decision.Reply reply) {
            assertThat(reply.packet().length).isLessThanOrEqualTo(3 * packet.length);
        }
    }

    /** {@code body} followed by its CRC32C, big-endian, as the codec seals a packet. */
    private static byte[] checksummed(byte[] body) {
        var crc = new CRC32C();
        crc.update(body);
        int sum = (int) crc.getValue();
        byte[] packet = Arrays.copyOf(body, body.length + PacketCodec.CHECKSUM_LENGTH);
        for (int i = 0; i < PacketCodec.CHECKSUM_LENGTH; i++) {
            packet[body.length + i] = (byte) (sum >>> (24 - 8 * i));
        }
        return packet;
    }
}
