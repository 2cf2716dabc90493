package dev.parley.transport.udp.internal;

/**
 * One fragment of a frame being sent: {@code frame[offset, offset + length)} numbered {@code seq}.
 * Shares the frame's array (never copied). Owned by one session; not thread-safe.
 */
public final class OutgoingChunk {

    final long seq;
    final byte[] frame;
    final int offset;
    final int length;
    /** The reliable stream's payload offset just after this fragment, for flow control. */
    final long streamEnd;
    boolean acked;
    boolean pendingRetransmit;
    boolean sentOnce;

    OutgoingChunk(long seq, byte[] frame, int offset, int length, long streamEnd) {
        this.seq = seq;
        this.streamEnd = streamEnd;
        this.frame = frame;
        this.offset = offset;
        this.length = length;
    }

    @Override
    public String toString() {
        return "chunk " + seq + " [" + offset + "+" + length + " of " + frame.length + "]";
    }
}
