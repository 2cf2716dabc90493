package dev.parley.frame;

import dev.parley.transport.FrameBudgetExceededException;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.spi.FrameBudget;
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
    void takesTheFramesThatLieWholeInABufferLeavingTheRestToDecode() {
        FrameDecoder decoder = new FrameDecoder(1024);
        ByteBuffer in = framed(bytes(3, 1), bytes(100, 2));
        in.limit(in.limit() - 1); // the second frame's last byte has not arrived

        assertThat(decoder.takeWholeFrame(in)).isEqualTo(3);
        assertThat(in.position()).isEqualTo(FrameDecoder.HEADER_BYTES);
        assertThat(in.get(in.position())).isEqualTo((byte) 1);
        in.position(in.position() + 3);
        assertThat(decoder.takeWholeFrame(in)).isEqualTo(-1);
        assertThat(in.position()).isEqualTo(FrameDecoder.HEADER_BYTES + 3);
        assertThat(decoder.decode(in)).isNull();
        assertThat(decoder.isMidFrame()).isTrue();
        assertThat(decoder.takeWholeFrame(framed(bytes(1, 9)))).as("while a frame is mid-way")
                .isEqualTo(-1);
        assertThat(decoder.decode(ByteBuffer.wrap(new byte[] {101}))).isEqualTo(bytes(100, 2));
    }

    @Test
    void leavesKeepalivesAndRefusedLengthsToDecode() {
        FrameDecoder decoder = new FrameDecoder(16);
        ByteBuffer keepalive = framed(new byte[0]);
        ByteBuffer tooLong = framed(bytes(17, 0));

        assertThat(decoder.takeWholeFrame(keepalive)).isEqualTo(-1);
        assertThat(decoder.decode(keepalive)).isSameAs(FrameDecoder.KEEPALIVE);
        assertThat(decoder.takeWholeFrame(tooLong)).isEqualTo(-1);
        assertThatThrownBy(() -> decoder.decode(tooLong)).isInstanceOf(FrameTooLongException.class);
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

    /** The first {@code bytes} bytes of {@code payload}'s frame, header included: a frame under way. */
    private static ByteBuffer begun(byte[] payload, int bytes) {
        return framed(payload).limit(bytes);
    }

    @Test
    void aLongFrameHoldsItsWholeLengthInTheSharedBudgetUntilItIsWhole() {
        var budget = FrameBudget.of(100_000);
        var first = new FrameDecoder(1 << 20, budget);
        byte[] payload = bytes(60_000, 1);
        ByteBuffer whole = framed(payload);

        assertThat(first.decode(whole.slice(0, 10))).isNull();
        assertThat(budget.reservedBytes()).isEqualTo(60_000);
        assertThat(first.decode(whole.position(10))).isEqualTo(payload);
        assertThat(budget.reservedBytes()).isZero();
    }

    @Test
    void refusesALongFrameThatFindsTheBudgetSpentWhileShortFramesStillPass() {
        var budget = FrameBudget.of(100_000);
        var stalled = new FrameDecoder(1 << 20, budget);
        assertThat(stalled.decode(begun(bytes(60_000, 1), 10))).isNull();

        assertThatThrownBy(() -> new FrameDecoder(1 << 20, budget).decode(begun(bytes(50_000, 2), 10)))
                .isInstanceOf(FrameBudgetExceededException.class)
                .hasMessageContaining("no room for a frame of 50000 bytes")
                .hasMessageContaining("60000 of 100000 bytes reserved");
        byte[] small = bytes(FrameBudget.ALLOWANCE, 3);
        assertThat(new FrameDecoder(1 << 20, budget).decode(framed(small))).isEqualTo(small);
        assertThat(budget.reservedBytes()).isEqualTo(60_000);
    }

    @Test
    void aDiscardedDecoderGivesItsUnfinishedFrameRoomBack() {
        var budget = FrameBudget.of(100_000);
        var stalled = new FrameDecoder(1 << 20, budget);
        stalled.decode(begun(bytes(60_000, 1), 10));

        stalled.discard();

        assertThat(budget.reservedBytes()).isZero();
        byte[] next = bytes(90_000, 4);
        assertThat(new FrameDecoder(1 << 20, budget).decode(framed(next))).isEqualTo(next);
    }
}
