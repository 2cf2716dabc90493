package dev.parley.transport.udp.internal;

/**
 * One numbered piece of the reliable stream as sent, kept until acknowledged and retransmitted as
 * it was: either a fragment {@code frame[offset, offset + length)} of a frame too big for one
 * packet, or a batch of whole frames. Shares the frames' arrays (never copied). Made and owned by
 * one session's {@link SendStream}; not thread-safe.
 */
public final class OutgoingChunk {

    final long seq;
    /** The frame a fragment is cut from; null for a batch. */
    private final byte[] frame;
    /** The whole frames of a batch; null for a fragment. */
    private final byte[][] frames;
    private final int offset;
    /** Payload bytes. */
    final int length;
    /** The reliable stream's payload offset just after this piece, for flow control. */
    final long streamEnd;
    /** Bytes its frame takes in a packet. */
    final int wireSize;
    boolean acked;
    boolean pendingRetransmit;

    private OutgoingChunk(long seq, byte[] frame, byte[][] frames, int offset, int length, long streamEnd,
                          int wireSize) {
        this.seq = seq;
        this.frame = frame;
        this.frames = frames;
        this.offset = offset;
        this.length = length;
        this.streamEnd = streamEnd;
        this.wireSize = wireSize;
    }

    /** A fragment of {@code frame}, which is too big for one packet. */
    static OutgoingChunk fragment(long seq, byte[] frame, int offset, int length, long streamEnd) {
        return new OutgoingChunk(seq, frame, null, offset, length, streamEnd,
                PacketCodec.Writer.chunkSize(seq, frame.length, offset, length));
    }

    /** A batch of whole frames holding {@code length} payload bytes in all. */
    static OutgoingChunk batch(long seq, byte[][] frames, int length, long streamEnd) {
        return new OutgoingChunk(seq, null, frames, 0, length, streamEnd, PacketCodec.Writer.batchSize(seq, frames));
    }

    /** Writes it as a CHUNK or a BATCH; the caller checked {@link #wireSize} fits. */
    void writeTo(PacketCodec.Writer writer) {
        if (frames != null) {
            writer.batch(seq, frames);
        } else {
            writer.chunk(seq, frame, offset, length);
        }
    }

    @Override
    public String toString() {
        return frames != null ? "batch " + seq + " [" + frames.length + " frames, " + length + " bytes]"
                : "chunk " + seq + " [" + offset + "+" + length + " of " + frame.length + "]";
    }
}
