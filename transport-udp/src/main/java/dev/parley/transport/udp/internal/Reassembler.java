package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.FrameBudgetExceededException;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.spi.FrameBudget;

import java.util.Arrays;

import java.util.TreeMap;

/**
 * The receiving half of the reliable stream: puts fragments and batches back in sequence order,
 * drops duplicates, joins fragments into frames, and hands each whole frame on in order.
 *
 * <p>Flow control counts payload bytes, like QUIC's MAX_STREAM_DATA: the peer may send up to
 * {@link #byteLimit()}, which is what the handler has consumed plus the window. A peer that
 * delivers beyond it breaks the protocol. Out-of-order fragments are held up to a byte cap, each
 * counted as at least {@value #MIN_CHARGE} bytes so that tiny fragments cannot pile up in numbers
 * (and a batch {@value #FRAME_OVERHEAD} more per frame it holds). A frame that comes in several
 * fragments grows its array as they arrive, and one longer than {@link FrameBudget#ALLOWANCE}
 * reserves its length in a {@link FrameBudget} the listener's sessions share, or is refused with
 * {@code OVERLOADED}; {@link #discard()} gives a frame left unfinished its room back.
 * Not thread-safe: owned by one session.
 */
public final class Reassembler {

    /** The least a buffered fragment is charged against the cap: its bookkeeping is not free. */
    static final int MIN_CHARGE = 256;
    /** What each frame of a held batch is charged on top of its bytes: an array of its own. */
    static final int FRAME_OVERHEAD = 16;

    /** What became of one fragment. */
    public enum Outcome {
        /** Taken: buffered or delivered. */
        ACCEPTED,
        /** Seen before; nothing changed. */
        DUPLICATE,
        /** Not taken (over the memory cap): the packet must not be acknowledged, so it comes again. */
        REFUSED
    }

    /** Receives whole frames in order, with the stream offset just after their last byte. */
    public interface FrameSink {
        /** A whole reliable frame arrived, in order. */
        void frameArrived(byte[] frame, long endOffset);

        /**
         * The frames of one batch arrived, in order, in one array (never empty): one hand-over for
         * the lot; {@code endOffset} is after the last of them.
         */
        void framesArrived(byte[][] frames, long endOffset);
    }

    private final int maxFrameLength;
    private final FrameBudget budget;
    private final long capBytes;
    private final long windowBytes;
    private final TreeMap<Long, Frame.Segment> pending = new TreeMap<>();
    private long pendingCharge;
    private long nextSeq;
    private long deliveredBytes;
    private long consumedBytes;
    /** The frame in progress, grown as its fragments arrive; null between frames. */
    private byte[] partial;
    /** The length the frame in progress announced. */
    private int partialLength;
    private int filled;
    private long finSeq = -1;

    public Reassembler(int maxFrameLength, FrameBudget budget, long capBytes, long windowBytes) {
        this.maxFrameLength = maxFrameLength;
        this.budget = budget;
        this.capBytes = capBytes;
        this.windowBytes = windowBytes;
    }

    /**
     * Takes one fragment or batch, delivering every frame it completes to {@code sink}.
     *
     * @throws ConnectionClosedException with {@code PROTOCOL_ERROR} if the segment contradicts the
     *                                   stream or overruns the window, with {@code OVERLOADED}
     *                                   if it starts a frame the budget has no room for
     */
    public Outcome onSegment(Frame.Segment segment, FrameSink sink) throws ConnectionClosedException {
        switch (segment) {
            case Frame.Chunk chunk -> checkFrameLength(chunk.frameLength());
            case Frame.Batch batch -> {
                for (byte[] frame : batch.frames()) {
                    checkFrameLength(frame.length);
                }
            }
        }
        long seq = segment.seq();
        if (finSeq >= 0 && seq >= finSeq) {
            throw protocolError("fragment " + seq + " after the end of the stream at " + finSeq);
        }
        if (seq < nextSeq || (!pending.isEmpty() && pending.containsKey(seq))) {
            return Outcome.DUPLICATE;
        }
        if (seq != nextSeq) {
            long charge = charge(segment);
            if (pendingCharge + charge > capBytes) {
                return Outcome.REFUSED;
            }
            pending.put(seq, segment);
            pendingCharge += charge;
            return Outcome.ACCEPTED;
        }
        append(segment, sink);
        Frame.Segment next;
        while (!pending.isEmpty() && (next = pending.remove(nextSeq)) != null) {
            pendingCharge -= charge(next);
            append(next, sink);
        }
        return Outcome.ACCEPTED;
    }

    private void checkFrameLength(int frameLength) throws ConnectionClosedException {
        if (frameLength > maxFrameLength) {
            throw new ConnectionClosedException(Reason.PROTOCOL_ERROR, "the peer announced a frame of "
                    + frameLength + " bytes", new FrameTooLongException(frameLength, maxFrameLength));
        }
    }

    private static long charge(Frame.Segment segment) {
        long overhead = segment instanceof Frame.Batch batch ? (long) batch.frames().length * FRAME_OVERHEAD : 0;
        return Math.max(segment.payloadLength() + overhead, MIN_CHARGE);
    }

    private void append(Frame.Segment segment, FrameSink sink) throws ConnectionClosedException {
        deliveredBytes += segment.payloadLength();
        if (deliveredBytes > byteLimit()) {
            throw protocolError("the peer sent " + deliveredBytes + " bytes, beyond the window of " + byteLimit());
        }
        nextSeq++;
        switch (segment) {
            case Frame.Chunk chunk -> appendChunk(chunk, sink);
            case Frame.Batch batch -> {
                if (partial != null) {
                    throw protocolError("batch " + batch.seq() + " interrupts the frame in progress");
                }
                sink.framesArrived(batch.frames(), deliveredBytes);
            }
        }
    }

    private void appendChunk(Frame.Chunk chunk, FrameSink sink) throws ConnectionClosedException {
        byte[] data = chunk.data();
        if (partial == null) {
            if (chunk.offset() != 0) {
                throw protocolError("fragment " + chunk.seq() + " continues a frame that never started");
            }
            if (data.length == chunk.frameLength()) {
                sink.frameArrived(data, deliveredBytes);
                return;
            }
            if (!budget.tryReserve(chunk.frameLength())) {
                var refusal = new FrameBudgetExceededException(chunk.frameLength(), budget.toString());
                throw new ConnectionClosedException(Reason.OVERLOADED, refusal.getMessage(), refusal);
            }
            partialLength = chunk.frameLength();
            partial = new byte[Math.min(partialLength, Math.max(FrameBudget.ALLOWANCE, data.length))];
            filled = 0;
        } else if (chunk.offset() != filled || chunk.frameLength() != partialLength) {
            throw protocolError("fragment " + chunk.seq() + " does not continue the frame in progress");
        }
        if (filled + data.length > partial.length) {
            partial = Arrays.copyOf(partial, (int) Math.min(partialLength, Math.max(2L * partial.length, filled + data.length)));
        }
        System.arraycopy(data, 0, partial, filled, data.length);
        filled += data.length;
        if (filled == partialLength) {
            byte[] frame = partial;
            partial = null;
            budget.release(partialLength);
            sink.frameArrived(frame, deliveredBytes);
        }
    }

    /** Gives back the room a frame left unfinished holds in the budget; for when the session ends. */
    public void discard() {
        if (partial != null) {
            partial = null;
            budget.release(partialLength);
        }
    }

    /** Records the peer's FIN; true if it is new. */
    public boolean onFin(long finalSeq) throws ConnectionClosedException {
        if (finSeq >= 0) {
            if (finSeq != finalSeq) {
                throw protocolError("the end of the stream moved from " + finSeq + " to " + finalSeq);
            }
            return false;
        }
        if (finalSeq < nextSeq || (!pending.isEmpty() && pending.lastKey() >= finalSeq)) {
            throw protocolError("the end of the stream at " + finalSeq + " is below fragments already received");
        }
        finSeq = finalSeq;
        return true;
    }

    /** True once the peer's FIN arrived and every fragment before it was delivered. */
    public boolean isFinished() {
        return finSeq >= 0 && nextSeq == finSeq;
    }

    /** The handler is done with the frames up to stream offset {@code endOffset}: the window moves on. */
    public void onConsumed(long endOffset) {
        consumedBytes = Math.max(consumedBytes, Math.min(endOffset, deliveredBytes));
    }

    /** The peer may send payload bytes up to this stream offset: what is consumed plus the window. */
    public long byteLimit() {
        return consumedBytes + windowBytes;
    }

    /** Bytes charged for out-of-order fragments held now. */
    public long pendingBytes() {
        return pendingCharge;
    }

    public long windowBytes() {
        return windowBytes;
    }

    private static ConnectionClosedException protocolError(String message) {
        return new ConnectionClosedException(Reason.PROTOCOL_ERROR, message);
    }
}
