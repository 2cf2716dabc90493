package dev.parley.transport.udp.internal;

import dev.parley.transport.udp.UdpOptions;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class PacketCodecTest {

    @Test
    void roundTripsADataPacketWithEveryKindOfFrame() throws Exception {
        var writer = new PacketCodec.Writer(1200);
        byte[] frame = new byte[3000];
        new Random(1).nextBytes(frame);
        var ranges = List.of(new Frame.Range(90, 100), new Frame.Range(50, 80), new Frame.Range(0, 10));

        writer.begin(77, 12345);
        assertThat(writer.ack(ranges, 250, 4096, PacketCodec.ACK_RESERVE)).isEqualTo(3);
        writer.chunk(9, frame, 1000, 500);
        writer.datagram(new byte[]{1, 2, 3});
        writer.ping();
        writer.fin(10);
        writer.reset(ResetCode.TIMED_OUT);
        int length = writer.finish();

        var packet = (Packet.Data) PacketCodec.decode(writer.buffer(), length);
        assertThat(packet.connectionId()).isEqualTo(77);
        assertThat(packet.packetNumber()).isEqualTo(12345);
        assertThat(packet.frames()).hasSize(6);
        var ack = (Frame.Ack) packet.frames().get(0);
        assertThat(ack.ranges()).isEqualTo(ranges);
        assertThat(ack.ackDelayMicros()).isEqualTo(250);
        assertThat(ack.byteLimit()).isEqualTo(4096);
        var chunk = (Frame.Chunk) packet.frames().get(1);
        assertThat(chunk.seq()).isEqualTo(9);
        assertThat(chunk.frameLength()).isEqualTo(3000);
        assertThat(chunk.offset()).isEqualTo(1000);
        assertThat(chunk.data()).isEqualTo(Arrays.copyOfRange(frame, 1000, 1500));
        assertThat(((Frame.Datagram) packet.frames().get(2)).data()).containsExactly(1, 2, 3);
        assertThat(packet.frames().get(3)).isInstanceOf(Frame.Ping.class);
        assertThat(((Frame.Fin) packet.frames().get(4)).finalSeq()).isEqualTo(10);
        assertThat(ResetCode.of(((Frame.Reset) packet.frames().get(5)).code())).isEqualTo(ResetCode.TIMED_OUT);
    }

    @Test
    void roundTripsAckRangesOfEverySpacing() throws Exception {
        var random = new Random(5);
        for (int round = 0; round < 500; round++) {
            var ranges = new ArrayList<Frame.Range>();
            long high = 1L + random.nextInt(1 << 20) + (round % 7 == 0 ? 1L << 40 : 0);
            while (high >= 0 && ranges.size() < 20) {
                long low = Math.max(0, high - random.nextInt(round % 2 == 0 ? 3 : 5000));
                ranges.add(new Frame.Range(low, high));
                high = low - 2 - random.nextInt(round % 3 == 0 ? 2 : 100_000);
            }
            var writer = new PacketCodec.Writer(1200);
            writer.begin(1, 1);
            assertThat(writer.ack(ranges, 0, 0, writer.remaining())).isEqualTo(ranges.size());
            var ack = (Frame.Ack) ((Packet.Data) PacketCodec.decode(writer.buffer(), writer.finish())).frames().getFirst();
            assertThat(ack.ranges()).as("round %d", round).isEqualTo(ranges);
        }
    }

    @Test
    void keepsAnAckWithinItsBudgetByDroppingTheOldestRanges() throws Exception {
        var ranges = new ArrayList<Frame.Range>();
        for (long pn = 100_000; pn > 0; pn -= 1000) {
            ranges.add(new Frame.Range(pn - 10, pn));
        }
        var writer = new PacketCodec.Writer(1200);
        writer.begin(1, 1);

        int carried = writer.ack(ranges, 0, 0, PacketCodec.ACK_RESERVE);

        assertThat(carried).isBetween(1, ranges.size() - 1);
        assertThat(writer.remaining()).isGreaterThanOrEqualTo(1200 - PacketCodec.HEADER_LENGTH
                - PacketCodec.CHECKSUM_LENGTH - PacketCodec.ACK_RESERVE);
        var ack = (Frame.Ack) ((Packet.Data) PacketCodec.decode(writer.buffer(), writer.finish())).frames().getFirst();
        assertThat(ack.ranges()).isEqualTo(ranges.subList(0, carried));
    }

    @Test
    void roundTripsTheHandshakePackets() throws Exception {
        byte[] cookie = new byte[HandshakeCookies.LENGTH];
        Arrays.fill(cookie, (byte) 7);

        var clientParameters = new TransportParameters(4096, 5_000, TransportParameters.MAX_IDLE_TIMEOUT_MILLIS);
        byte[] initial = PacketCodec.initial(3, 99, clientParameters, cookie);
        assertThat(initial).hasSize(UdpOptions.MIN_INITIAL_PACKET_SIZE);
        assertThat(PacketCodec.decode(initial, initial.length)).isInstanceOfSatisfying(Packet.Initial.class, p -> {
            assertThat(p.packetNumber()).isEqualTo(3);
            assertThat(p.sourceConnectionId()).isEqualTo(99);
            assertThat(p.parameters()).isEqualTo(clientParameters);
            assertThat(p.cookie()).isEqualTo(cookie);
        });
        byte[] retry = PacketCodec.retry(99, 3, cookie);
        assertThat(PacketCodec.decode(retry, retry.length)).isInstanceOfSatisfying(Packet.Retry.class,
                p -> assertThat(p.cookie()).isEqualTo(cookie));
        var serverParameters = new TransportParameters(2048, 25_000, 0);
        byte[] accept = PacketCodec.accept(99, 3, 555, serverParameters);
        assertThat(PacketCodec.decode(accept, accept.length)).isEqualTo(new Packet.Accept(99, 3, 555, serverParameters));
        byte[] refused = PacketCodec.refused(99, 3);
        assertThat(PacketCodec.decode(refused, refused.length)).isEqualTo(new Packet.Refused(99, 3));
    }

    @Test
    void rejectsAHandshakeThatAnnouncesAMaxAckDelayOverTheLimit() {
        byte[] accept = PacketCodec.accept(1, 2, 3, new TransportParameters(4, PacketCodec.MAX_ACK_DELAY_MICROS, 0));
        // The max ack delay is the four bytes before the idle timeout, the last before the checksum.
        int at = accept.length - PacketCodec.CHECKSUM_LENGTH - 8;
        ByteBuffer.wrap(accept).putInt(at, (int) PacketCodec.MAX_ACK_DELAY_MICROS + 1);
        fixChecksum(accept);

        assertThat(kindOf(accept)).isEqualTo(MalformedPacketException.Kind.INVALID);
        assertThatThrownBy(() -> PacketCodec.initial(0, 1,
                new TransportParameters(16, PacketCodec.MAX_ACK_DELAY_MICROS + 1, 0), new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsAnInitialThatIsNotPadded() {
        byte[] initial = PacketCodec.initial(0, 1, new TransportParameters(16, 5_000, 0), new byte[0]);
        byte[] shortened = Arrays.copyOf(initial, 100);
        fixChecksum(shortened);

        assertThat(kindOf(shortened)).isEqualTo(MalformedPacketException.Kind.INVALID);
    }

    @Test
    void rejectsTruncatedPacketsAtEveryLength() {
        var writer = new PacketCodec.Writer(1200);
        writer.begin(5, 6);
        writer.ack(List.of(new Frame.Range(0, 3)), 1, 2, 64);
        writer.chunk(0, new byte[100], 0, 100);
        int length = writer.finish();
        byte[] packet = Arrays.copyOf(writer.buffer(), length);

        int chunkStart = length - PacketCodec.CHECKSUM_LENGTH - PacketCodec.Writer.chunkSize(0, 100, 0, 100);
        for (int cut = 0; cut < length; cut++) {
            if (cut == chunkStart + PacketCodec.CHECKSUM_LENGTH) {
                continue;
            }
            byte[] truncated = Arrays.copyOf(packet, cut);
            if (cut >= PacketCodec.HEADER_LENGTH + PacketCodec.CHECKSUM_LENGTH) {
                fixChecksum(truncated);
            }
            assertThat(kindOf(truncated)).as("cut at %d", cut).isIn(MalformedPacketException.Kind.TRUNCATED,
                    MalformedPacketException.Kind.INVALID);
        }
    }

    @Test
    void roundTripsABatchOfWholeFrames() throws Exception {
        var writer = new PacketCodec.Writer(1200);
        byte[][] frames = {{1}, new byte[64], new byte[300]};
        new Random(2).nextBytes(frames[2]);

        writer.begin(3, 4);
        writer.batch(70_000, frames);
        writer.ping();
        int length = writer.finish();

        var packet = (Packet.Data) PacketCodec.decode(writer.buffer(), length);
        assertThat(packet.frames()).hasSize(2);
        var batch = (Frame.Batch) packet.frames().getFirst();
        assertThat(batch.seq()).isEqualTo(70_000);
        assertThat(batch.frames()).isDeepEqualTo(frames);
        assertThat(batch.payloadLength()).isEqualTo(365);
        assertThat(batch.ackEliciting()).isTrue();
        assertThat(length).isEqualTo(PacketCodec.HEADER_LENGTH + PacketCodec.Writer.batchSize(70_000, frames) + 1
                + PacketCodec.CHECKSUM_LENGTH);
    }

    @Test
    void rejectsATruncatedBatchAtEveryLength() {
        var writer = new PacketCodec.Writer(1200);
        writer.begin(5, 6);
        writer.batch(0, new byte[][]{new byte[10], new byte[20], new byte[30]});
        int length = writer.finish();
        byte[] packet = Arrays.copyOf(writer.buffer(), length);

        for (int cut = PacketCodec.HEADER_LENGTH + 1 + PacketCodec.CHECKSUM_LENGTH; cut < length; cut++) {
            byte[] truncated = Arrays.copyOf(packet, cut);
            fixChecksum(truncated);
            assertThat(kindOf(truncated)).as("cut at %d", cut).isIn(MalformedPacketException.Kind.TRUNCATED,
                    MalformedPacketException.Kind.INVALID);
        }
    }

    @Test
    void rejectsABatchWithNoFramesAnEmptyFrameOrMoreFramesThanBytes() {
        // type, seq 0, count, then the frames' lengths and bytes
        assertThat(kindOf(dataPacket(7, 0, 0))).isEqualTo(MalformedPacketException.Kind.INVALID);
        assertThat(kindOf(dataPacket(7, 0, 1, 0))).isEqualTo(MalformedPacketException.Kind.INVALID);
        assertThat(kindOf(dataPacket(7, 0, 2, 1, 9, 0, 5))).isEqualTo(MalformedPacketException.Kind.INVALID);
        assertThat(kindOf(dataPacket(7, 0, 0x80, 0, 0x40, 0, 1, 9))).isEqualTo(MalformedPacketException.Kind.INVALID);
    }

    @Test
    void decodesRandomBatchBodiesWithoutThrowingAnythingButMalformedPacket() {
        var random = new Random(4);
        for (int i = 0; i < 10_000; i++) {
            int[] body = new int[1 + random.nextInt(40)];
            body[0] = PacketCodec.FRAME_BATCH;
            for (int j = 1; j < body.length; j++) {
                body[j] = random.nextInt(256);
            }
            byte[] packet = dataPacket(body);
            Throwable thrown = catchThrowable(() -> PacketCodec.decode(packet, packet.length));
            if (thrown != null) {
                assertThat(thrown).as("body %d", i).isInstanceOf(MalformedPacketException.class);
            }
        }
    }

    @Test
    void rejectsAFlippedBitAsAChecksumFailure() {
        byte[] accept = PacketCodec.accept(1, 2, 3, new TransportParameters(4, 5, 6));
        for (int bit = 0; bit < accept.length * 8; bit++) {
            byte[] corrupt = accept.clone();
            corrupt[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(kindOf(corrupt)).as("bit %d", bit).isEqualTo(MalformedPacketException.Kind.CHECKSUM);
        }
    }

    @Test
    void decodesRandomGarbageWithoutThrowingAnythingButMalformedPacket() {
        var random = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            byte[] garbage = new byte[random.nextInt(1500)];
            random.nextBytes(garbage);
            if (i % 2 == 0 && garbage.length >= 22) {
                garbage[0] = PacketCodec.VERSION;
                garbage[1] = (byte) (1 + random.nextInt(5));
                fixChecksum(garbage);
            }
            Throwable thrown = catchThrowable(() -> PacketCodec.decode(garbage, garbage.length));
            if (thrown != null) {
                assertThat(thrown).as("garbage %d", i).isInstanceOf(MalformedPacketException.class);
            }
        }
    }

    @Test
    void rejectsAnUnknownVersion() {
        byte[] accept = PacketCodec.accept(1, 2, 3, new TransportParameters(4, 5, 6));
        accept[0] = 9;
        fixChecksum(accept);

        assertThat(kindOf(accept)).isEqualTo(MalformedPacketException.Kind.VERSION);
    }

    @Test
    void encodesVarintsAtEveryLengthBoundary() {
        long[] values = {0, 63, 64, 16_383, 16_384, (1L << 30) - 1, 1L << 30, VarInt.MAX};
        int[] sizes = {1, 1, 2, 2, 4, 4, 8, 8};
        for (int i = 0; i < values.length; i++) {
            assertThat(VarInt.size(values[i])).as("%d", values[i]).isEqualTo(sizes[i]);
            byte[] buf = new byte[8];
            assertThat(VarInt.write(buf, 0, values[i])).isEqualTo(sizes[i]);
        }
        assertThatThrownBy(() -> VarInt.size(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A DATA packet to connection 1, numbered 2, with {@code body} as its frames and a good checksum. */
    private static byte[] dataPacket(int... body) {
        byte[] packet = new byte[PacketCodec.HEADER_LENGTH + body.length + PacketCodec.CHECKSUM_LENGTH];
        packet[0] = PacketCodec.VERSION;
        packet[1] = PacketCodec.TYPE_DATA;
        packet[9] = 1;
        packet[17] = 2;
        for (int i = 0; i < body.length; i++) {
            packet[PacketCodec.HEADER_LENGTH + i] = (byte) body[i];
        }
        fixChecksum(packet);
        return packet;
    }

    private static MalformedPacketException.Kind kindOf(byte[] bytes) {
        return catchThrowableOfType(MalformedPacketException.class, () -> PacketCodec.decode(bytes, bytes.length)).kind();
    }

    private static void fixChecksum(byte[] packet) {
        var crc = new CRC32C();
        crc.update(packet, 0, packet.length - 4);
        int v = (int) crc.getValue();
        packet[packet.length - 4] = (byte) (v >>> 24);
        packet[packet.length - 3] = (byte) (v >>> 16);
        packet[packet.length - 2] = (byte) (v >>> 8);
        packet[packet.length - 1] = (byte) v;
    }
}
