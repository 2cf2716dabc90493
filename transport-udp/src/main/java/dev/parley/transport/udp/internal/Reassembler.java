package dev.parley.transport.udp.internal;

import dev.parley.transport.ConnectionClosedException;
import dev.parley.transport.ConnectionClosedException.Reason;
import dev.parley.transport.FrameTooLongException;

import java.util.TreeMap;

/**
 * The receiving half of the reliable stream: puts fragments back in sequence order, drops
 * duplicates, joins fragments into frames, and hands each whole frame on in order. Enforces flow
 * control (no fragment at or beyond {@link #seqLimit()}) and caps the bytes of out-of-order
 * fragments it holds. Not thread-safe: owned by one session.
 */
public final class Reassembler {

    /** What became of one fragment. */
    public enum Outcome {
        /** Taken: buffered or delivered. */
        ACCEPTED,
        /** Seen before; nothing changed. */
        DUPLICATE,
        /** Not taken (beyond the window, or over the memory cap): the packet must not be acknowledged. */
        REFUSED
    }

    /** Receives whole frames in order, with the sequence number just after their last fragment. */
    @FunctionalInterface
    public interface FrameSink {
        void frame(byte[] frame, long endSeq);
    }

    private final int maxFrameLength;
    private final long capBytes;
    private final int window;
    private final TreeMap<Long, Frame.Chunk> pending = new TreeMap<>();
    private long pendingBytes;
    private long nextSeq;
    private long consumedSeq;
    private byte[] partial;
    private int filled;
    private long finSeq = -1;

    public Reassembler(int maxFrameLength, long capBytes, int windowChunks) {
        this.maxFrameLength = maxFrameLength;
        this.capBytes = capBytes;
        this.window = windowChunks;
    }

    /**
     * Takes one fragment, delivering every frame it completes to {@code sink}.
     *
     * @throws ConnectionClosedException with {@code PROTOCOL_ERROR} if the fragment contradicts the stream
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
        if (seq < nextSeq || pending.containsKey(seq)) {
            return Outcome.DUPLICATE;
        }
        if (seq >= seqLimit()) {
            return Outcome.REFUSED;
        }
        if (seq != nextSeq) {
            if (pendingBytes + chunk.data().length > capBytes) {
                return Outcome.REFUSED;
            }
            pending.put(seq, chunk);
            pendingBytes += chunk.data().length;
            return Outcome.ACCEPTED;
        }
        append(chunk, sink);
        Frame.Chunk next;
        while ((next = pending.remove(nextSeq)) != null) {
            pendingBytes -= next.data().length;
            append(next, sink);
        }
        return Outcome.ACCEPTED;
    }

    private void append(Frame.Chunk chunk, FrameSink sink) throws ConnectionClosedException {
        byte[] data = chunk.data();
        if (partial == null) {
            if (chunk.offset() != 0) {
                throw protocolError("fragment " + chunk.seq() + " continues a frame that never started");
            }
            if (data.length == chunk.frameLength()) {
                nextSeq++;
                sink.frame(data, nextSeq);
                return;
            }
            partial = new byte[chunk.frameLength()];
            filled = 0;
        } else if (chunk.offset() != filled || chunk.frameLength() != partial.length) {
            throw protocolError("fragment " + chunk.seq() + " does not continue the frame in progress");
        }
        System.arraycopy(data, 0, partial, filled, data.length);
        filled += data.length;
        nextSeq++;
        if (filled == partial.length) {
            byte[] frame = partial;
            partial = null;
            sink.frame(frame, nextSeq);
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

    /** The handler is done with the frames up to {@code endSeq}: the window moves on. */
    public void onConsumed(long endSeq) {
        consumedSeq = Math.max(consumedSeq, Math.min(endSeq, nextSeq));
    }

    /** Fragments numbered below this may be sent: what is consumed plus the window. */
    public long seqLimit() {
        return consumedSeq + window;
    }

    public long pendingBytes() {
        return pendingBytes;
    }

    public int window() {
        return window;
    }

    private static ConnectionClosedException protocolError(String message) {
        return new ConnectionClosedException(Reason.PROTOCOL_ERROR, message);
    }
}
