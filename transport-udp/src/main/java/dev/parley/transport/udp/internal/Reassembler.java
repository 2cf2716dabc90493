package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.FrameTooLongException;

import java.util.TreeMap;

/**
 * The receiving half of the reliable stream: puts fragments back in sequence order, drops
 * duplicates, joins fragments into frames, and hands each whole frame on in order.
 *
 * <p>Flow control counts payload bytes, like QUIC's MAX_STREAM_DATA: the peer may send up to
 * {@link #byteLimit()}, which is what the handler has consumed plus the window. A peer that
 * delivers beyond it breaks the protocol. Out-of-order fragments are held up to a byte cap, each
 * counted as at least {@value #MIN_CHARGE} bytes so that tiny fragments cannot pile up in numbers.
 * Not thread-safe: owned by one session.
 */
public final class Reassembler {

    /** The least a buffered fragment is charged against the cap: its bookkeeping is not free. */
    static final int MIN_CHARGE = 256;

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
    @FunctionalInterface
    public interface FrameSink {
        void frame(byte[] frame, long endOffset);
    }

    private final int maxFrameLength;
    private final long capBytes;
    private final long windowBytes;
    private final TreeMap<Long, Frame.Chunk> pending = new TreeMap<>();
    private long pendingCharge;
    private long nextSeq;
    private long deliveredBytes;
    private long consumedBytes;
    private byte[] partial;
    private int filled;
    private long finSeq = -1;

    public Reassembler(int maxFrameLength, long capBytes, long windowBytes) {
        this.maxFrameLength = maxFrameLength;
        this.capBytes = capBytes;
        this.windowBytes = windowBytes;
    }

    /**
     * Takes one fragment, delivering every frame it completes to {@code sink}.
     *
     * @throws ConnectionClosedException with {@code PROTOCOL_ERROR} if the fragment contradicts the
     *                                   stream or overruns the window
     */
    public Outcome onChunk(Frame.Chunk chunk, FrameSink sink) throws ConnectionClosedException {
        if (chunk.frameLength() > maxFrameLength) {
            throw new ConnectionClosedException(Reason.PROTOCOL_ERROR, "the peer announced a frame of "
                    + chunk.frameLength() + " bytes", new FrameTooLongException(chunk.frameLength(), maxFrameLength));
        }
        long seq = chunk.seq();
        if (finSeq >= 0 && seq >= finSeq) {
            throw protocolError("fragment " + seq + " after the end of the stream at " + finSeq);
        }
        if (seq < nextSeq || (!pending.isEmpty() && pending.containsKey(seq))) {
            return Outcome.DUPLICATE;
        }
        if (seq != nextSeq) {
            long charge = charge(chunk);
            if (pendingCharge + charge > capBytes) {
                return Outcome.REFUSED;
            }
            pending.put(seq, chunk);
            pendingCharge += charge;
            return Outcome.ACCEPTED;
        }
        append(chunk, sink);
        Frame.Chunk next;
        while (!pending.isEmpty() && (next = pending.remove(nextSeq)) != null) {
            pendingCharge -= charge(next);
            append(next, sink);
        }
        return Outcome.ACCEPTED;
    }

    private static long charge(Frame.Chunk chunk) {
        return Math.max(chunk.data().length, MIN_CHARGE);
    }

    private void append(Frame.Chunk chunk, FrameSink sink) throws ConnectionClosedException {
        byte[] data = chunk.data();
        deliveredBytes += data.length;
        if (deliveredBytes > byteLimit()) {
            throw protocolError("the peer sent " + deliveredBytes + " bytes, beyond the window of " + byteLimit());
        }
        nextSeq++;
        if (partial == null) {
            if (chunk.offset() != 0) {
                throw protocolError("fragment " + chunk.seq() + " continues a frame that never started");
            }
            if (data.length == chunk.frameLength()) {
                sink.frame(data, deliveredBytes);
                return;
            }
            partial = new byte[chunk.frameLength()];
            filled = 0;
        } else if (chunk.offset() != filled || chunk.frameLength() != partial.length) {
            throw protocolError("fragment " + chunk.seq() + " does not continue the frame in progress");
        }
        System.arraycopy(data, 0, partial, filled, data.length);
        filled += data.length;
        if (filled == partial.length) {
            byte[] frame = partial;
            partial = null;
            sink.frame(frame, deliveredBytes);
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
