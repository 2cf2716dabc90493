package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.spi.FrameBudget;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ReassemblerTest {

    private final List<byte[]> delivered = new ArrayList<>();
    private final List<Long> ends = new ArrayList<>();
    /** Records every frame with the end offset it came with; the frames of a batch share the batch's. */
    private final Reassembler.FrameSink sink = new Reassembler.FrameSink() {
        @Override
        public void frameArrived(byte[] frame, long endOffset) {
            delivered.add(frame);
            ends.add(endOffset);
        }

        @Override
        public void framesArrived(byte[][] frames, long endOffset) {
            for (byte[] frame : frames) {
                frameArrived(frame, endOffset);
            }
        }
    };

    @Test
    void joinsFragmentsArrivingInAnyOrderIntoFramesInOrder() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);
        byte[] big = new byte[250];
        Arrays.fill(big, (byte) 5);

        reassembler.onSegment(chunk(3, new byte[]{9}, 0, 1), sink);
        reassembler.onSegment(chunk(1, big, 100, 100), sink);
        reassembler.onSegment(chunk(2, big, 200, 50), sink);
        assertThat(delivered).isEmpty();
        reassembler.onSegment(chunk(0, big, 0, 100), sink);

        assertThat(delivered).containsExactly(big, new byte[]{9});
        assertThat(ends).containsExactly(250L, 251L);
        assertThat(reassembler.pendingBytes()).isZero();
    }

    @Test
    void dropsDuplicatesWithoutDeliveringTwice() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);

        assertThat(reassembler.onSegment(chunk(1, new byte[]{2}, 0, 1), sink)).isEqualTo(Reassembler.Outcome.ACCEPTED);
        assertThat(reassembler.onSegment(chunk(1, new byte[]{2}, 0, 1), sink)).isEqualTo(Reassembler.Outcome.DUPLICATE);
        reassembler.onSegment(chunk(0, new byte[]{1}, 0, 1), sink);
        assertThat(reassembler.onSegment(chunk(0, new byte[]{1}, 0, 1), sink)).isEqualTo(Reassembler.Outcome.DUPLICATE);

        assertThat(delivered).containsExactly(new byte[]{1}, new byte[]{2});
    }

    @Test
    void opensTheWindowAsTheHandlerConsumesAndRejectsAPeerThatOverrunsIt() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 100);
        reassembler.onSegment(chunk(0, new byte[60], 0, 60), sink);
        assertThat(reassembler.byteLimit()).isEqualTo(100);

        reassembler.onConsumed(60);
        assertThat(reassembler.byteLimit()).isEqualTo(160);
        reassembler.onSegment(chunk(1, new byte[100], 0, 100), sink);

        var e = catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(chunk(2, new byte[1], 0, 1), sink));
        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void capsTheBytesOfOutOfOrderFragments() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1_000, 1 << 20);
        byte[] frame = new byte[5_000];

        assertThat(reassembler.onSegment(chunk(1, frame, 600, 600), sink)).isEqualTo(Reassembler.Outcome.ACCEPTED);
        assertThat(reassembler.onSegment(chunk(2, frame, 1200, 600), sink)).isEqualTo(Reassembler.Outcome.REFUSED);
        assertThat(reassembler.onSegment(chunk(3, new byte[1], 0, 1), sink)).isEqualTo(Reassembler.Outcome.ACCEPTED);
        assertThat(reassembler.onSegment(chunk(4, new byte[1], 0, 1), sink))
                .as("tiny fragments are charged at least %d bytes", Reassembler.MIN_CHARGE)
                .isEqualTo(Reassembler.Outcome.REFUSED);
        assertThat(reassembler.pendingBytes()).isEqualTo(600 + Reassembler.MIN_CHARGE);
    }

    @Test
    void treatsAnAnnouncedFrameOverTheLimitAsAProtocolError() {
        var reassembler = new Reassembler(1_000, FrameBudget.unlimited(), 1 << 20, 1 << 20);

        var e = catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(new Frame.Chunk(0, 5_000, 0, new byte[10]), sink));

        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(e.getCause()).isInstanceOf(FrameTooLongException.class);
    }

    @Test
    void treatsAFragmentThatContradictsTheStreamAsAProtocolError() {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);

        var e = catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(new Frame.Chunk(0, 100, 50, new byte[10]), sink));

        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void isFinishedOnceEverythingBeforeTheFinArrived() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);

        reassembler.onFin(2);
        reassembler.onSegment(chunk(1, new byte[]{2}, 0, 1), sink);
        assertThat(reassembler.isFinished()).isFalse();
        reassembler.onSegment(chunk(0, new byte[]{1}, 0, 1), sink);

        assertThat(reassembler.isFinished()).isTrue();
        assertThat(catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(chunk(2, new byte[]{3}, 0, 1), sink)).reason()).isEqualTo(Reason.PROTOCOL_ERROR);
    }

    @Test
    void deliversTheFramesOfBatchesInOrderWithTheEndOffsetOfEachBatch() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);
        byte[] big = new byte[150];

        assertThat(reassembler.onSegment(new Frame.Batch(3, new byte[][]{{7}}), sink))
                .isEqualTo(Reassembler.Outcome.ACCEPTED);
        reassembler.onSegment(chunk(2, big, 100, 50), sink);
        assertThat(reassembler.pendingBytes()).isEqualTo(2L * Reassembler.MIN_CHARGE);
        reassembler.onSegment(new Frame.Batch(0, new byte[][]{{1}, {2, 3}}), sink);
        assertThat(delivered).containsExactly(new byte[]{1}, new byte[]{2, 3});
        reassembler.onSegment(chunk(1, big, 0, 100), sink);
        assertThat(reassembler.onSegment(new Frame.Batch(0, new byte[][]{{1}, {2, 3}}), sink))
                .isEqualTo(Reassembler.Outcome.DUPLICATE);

        assertThat(delivered).containsExactly(new byte[]{1}, new byte[]{2, 3}, big, new byte[]{7});
        assertThat(ends).containsExactly(3L, 3L, 153L, 154L);
        assertThat(reassembler.pendingBytes()).isZero();
    }

    @Test
    void chargesAHeldBatchForEachOfItsFrames() throws Exception {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 1 << 20);
        byte[][] tiny = new byte[100][];
        Arrays.fill(tiny, new byte[]{1});

        reassembler.onSegment(new Frame.Batch(1, tiny), sink);

        assertThat(reassembler.pendingBytes()).isEqualTo(100L * (1 + Reassembler.FRAME_OVERHEAD));
    }

    @Test
    void treatsABatchThatInterruptsAFrameOrCarriesOneOverTheLimitAsAProtocolError() throws Exception {
        var reassembler = new Reassembler(1_000, FrameBudget.unlimited(), 1 << 20, 1 << 20);
        reassembler.onSegment(chunk(0, new byte[500], 0, 100), sink);

        var interrupting = catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(new Frame.Batch(1, new byte[][]{{1}}), sink));
        var tooLong = catchThrowableOfType(ConnectionClosedException.class,
                () -> new Reassembler(1_000, FrameBudget.unlimited(), 1 << 20, 1 << 20).onSegment(
                        new Frame.Batch(0, new byte[][]{{1}, new byte[1_001]}), sink));

        assertThat(interrupting.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(tooLong.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(tooLong.getCause()).isInstanceOf(FrameTooLongException.class);
        assertThat(delivered).isEmpty();
    }

    @Test
    void rejectsABatchThatOverrunsTheWindow() {
        var reassembler = new Reassembler(1 << 20, FrameBudget.unlimited(), 1 << 20, 100);

        var e = catchThrowableOfType(ConnectionClosedException.class,
                () -> reassembler.onSegment(new Frame.Batch(0, new byte[][]{new byte[60], new byte[41]}), sink));

        assertThat(e.reason()).isEqualTo(Reason.PROTOCOL_ERROR);
        assertThat(delivered).isEmpty();
    }

    @Test
    void aLongFrameHoldsItsLengthInTheSharedBudgetUntilWholeAndOneThatFindsNoRoomIsOverloaded() throws Exception {
        var budget = FrameBudget.of(100_000);
        var first = new Reassembler(1 << 20, budget, 1 << 20, 1 << 20);
        byte[] frame = new byte[60_000];
        new Random(3).nextBytes(frame);
        first.onSegment(chunk(0, frame, 0, 1_000), sink);
        assertThat(budget.reservedBytes()).isEqualTo(60_000);

        var refused = catchThrowableOfType(ConnectionClosedException.class, () -> new Reassembler(1 << 20, budget, 1 << 20, 1 << 20)
                .onSegment(chunk(0, new byte[50_000], 0, 1_000), sink));
        assertThat(refused.reason()).isEqualTo(Reason.OVERLOADED);
        assertThat(refused).hasMessageContaining("no room for a frame of 50000 bytes");

        for (int offset = 1_000, seq = 1; offset < frame.length; offset += 1_000, seq++) {
            first.onSegment(chunk(seq, frame, offset, 1_000), sink);
        }
        assertThat(delivered).containsExactly(frame);
        assertThat(budget.reservedBytes()).isZero();
    }

    @Test
    void aDiscardedFrameInProgressGivesItsRoomBack() throws Exception {
        var budget = FrameBudget.of(100_000);
        var reassembler = new Reassembler(1 << 20, budget, 1 << 20, 1 << 20);
        reassembler.onSegment(chunk(0, new byte[60_000], 0, 1_000), sink);

        reassembler.discard();

        assertThat(budget.reservedBytes()).isZero();
    }

    private static Frame.Chunk chunk(long seq, byte[] frame, int offset, int length) {
        return new Frame.Chunk(seq, frame.length, offset, Arrays.copyOfRange(frame, offset, offset + length));
    }
}
