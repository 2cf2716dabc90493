package dev.parley.frame;

import dev.parley.transport.FrameTooLongException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FrameDecoderTest {

    private static ByteBuffer framed(byte[]... payloads) {
        int total = 0;
        for (byte[] p : payloads) {
            total += FrameDecoder.HEADER_BYTES + p.length;
        }
        ByteBuffer buffer = ByteBuffer.allocate(total);
        for (byte[] p : payloads) {
            FrameDecoder.writeHeader(buffer, p.length);
            buffer.put(p);
        }
        return buffer.flip();
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    @Test
    void decodesSeveralFramesFromOneBuffer() {
        FrameDecoder decoder = new FrameDecoder(1024);
        ByteBuffer in = framed(bytes(3, 1), bytes(100, 2), bytes(1, 3));

        assertThat(decoder.decode(in)).isEqualTo(bytes(3, 1));
        assertThat(decoder.decode(in)).isEqualTo(bytes(100, 2));
        assertThat(decoder.decode(in)).isEqualTo(bytes(1, 3));
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.isMidFrame()).isFalse();
    }

    @Test
    void reassemblesAFrameFedOneByteAtATime() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        byte[] payload = bytes(70_000, 7);
        ByteBuffer whole = framed(payload);
        List<byte[]> frames = new ArrayList<>();
        while (whole.hasRemaining()) {
            ByteBuffer one = ByteBuffer.wrap(new byte[]{whole.get()});
            byte[] frame = decoder.decode(one);
            if (frame != null) {
                frames.add(frame);
            } else {
                assertThat(decoder.isMidFrame()).isTrue();
            }
        }
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).isEqualTo(payload);
    }

    @Test
    void returnsTheKeepaliveMarkerForAZeroLength() {
        FrameDecoder decoder = new FrameDecoder(16);
        ByteBuffer in = ByteBuffer.allocate(4).putInt(0).flip();

        assertThat(decoder.decode(in)).isSameAs(FrameDecoder.KEEPALIVE);
    }

    @Test
    void acceptsAFrameOfExactlyTheMaximumLength() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);

        assertThat(decoder.decode(framed(bytes(1 << 20, 0)))).hasSize(1 << 20);
    }

    @Test
    void refusesALengthJustOverTheMaximum() {
        FrameDecoder decoder = new FrameDecoder(1 << 20);
        ByteBuffer in = ByteBuffer.allocate(4).putInt((1 << 20) + 1).flip();

        assertThatThrownBy(() -> decoder.decode(in))
                .isInstanceOf(FrameTooLongException.class)
                .hasMessageContaining("1048577")
                .hasMessageContaining("1048576");
    }

    @Test
    void refusesTheLargestAndNegativeLengthsBeforeAllocating() {
        for (int announced : new int[]{Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
            FrameDecoder decoder = new FrameDecoder(1 << 20);
            ByteBuffer in = ByteBuffer.allocate(4).putInt(announced).flip();

            assertThatThrownBy(() -> decoder.decode(in))
                    .isInstanceOfSatisfying(FrameTooLongException.class,
                            e -> assertThat(e.length()).isEqualTo(announced & 0xFFFF_FFFFL));
        }
    }

    @Test
    void reportsAStreamThatStopsInsideALengthPrefix() {
        FrameDecoder decoder = new FrameDecoder(16);

        assertThat(decoder.decode(ByteBuffer.wrap(new byte[]{0, 0}))).isNull();
        assertThat(decoder.isMidFrame()).isTrue();
    }
}
