package dev.parley.transport.udp.internal;

import java.util.ArrayDeque;
import java.util.List;
import java.util.TreeMap;

/**
 * The sending half of a session's reliable stream, split out of {@link ReliableSession} as
 * quinn-proto and quiche keep a stream's send buffer apart from their connection: the frames taken
 * but not yet sent, the numbered chunks sent and not yet acknowledged, those to send again, the
 * peer's flow-control limit and the FIN.
 *
 * <p>It fills the room a packet leaves for reliable data in this order: chunks declared lost
 * first, as they were sent; then new whole frames, gathered into one BATCH chunk; then the next
 * fragment of a frame too big for one packet. Frames are numbered only when written, so that the
 * whole frames waiting are gathered into batches that fill the packet at hand. New data never
 * passes the byte limit the peer granted. A FIN goes only once every frame is written and no
 * retransmission waits; it is numbered after the last chunk.
 *
 * <p><b>Threads.</b> Not thread-safe: owned by one {@link ReliableSession} and called under its
 * lock, like the rest of the session's state.
 */
final class SendStream {

    /** Most bytes a frame takes in a packet besides itself: a chunk header and a length prefix (a varint). */
    private static final int FRAME_OVERHEAD = PacketCodec.MAX_CHUNK_HEADER + 8;

    private final int maxChunkData;
    /** Frames taken but not yet written whole. */
    private final ArrayDeque<byte[]> unsent = new ArrayDeque<>();
    /** How much of the head of {@link #unsent}, a frame too big for one packet, was cut into fragments. */
    private int unsentHeadOffset;
    /** Chunks declared lost and not acknowledged since, by sequence number: the oldest goes first. */
    private final TreeMap<Long, OutgoingChunk> retransmit = new TreeMap<>();
    /** Sent fragments and batches in sequence order until acknowledged; acknowledged ones leave lazily from the head. */
    private final ArrayDeque<OutgoingChunk> unacked = new ArrayDeque<>();
    private int unackedCount;
    /** Payload bytes taken and not yet acknowledged: unsent, in flight or waiting to be sent again. */
    private long bufferedBytes;
    private long nextSeq;
    /** Payload bytes numbered so far: the stream offset flow control measures. */
    private long streamOffset;
    private long peerByteLimit;
    private boolean finishing;
    private boolean finPending;
    private long finalSeq = -1;
    private boolean finAcked;

    /** @param maxChunkData the most payload one chunk carries, so that it fits any packet it is resent in */
    SendStream(int maxChunkData) {
        this.maxChunkData = maxChunkData;
    }

    // ------------------------------------------------------------------ taking frames

    /** Takes a frame for reliable, ordered delivery; the caller stops after {@link #finish}. */
    void add(byte[] frame) {
        unsent.add(frame);
        bufferedBytes += frame.length;
    }

    /** No frame follows those taken: a FIN goes after the last one. */
    void finish() {
        finishing = true;
        finPending = true;
    }

    /** True once {@link #finish} was called. */
    boolean isFinishing() {
        return finishing;
    }

    /** Payload bytes taken and not yet acknowledged, which the send buffer's limit counts. */
    long bufferedBytes() {
        return bufferedBytes;
    }

    /** Payload bytes numbered and sent at least once. */
    long streamOffset() {
        return streamOffset;
    }

    long peerByteLimit() {
        return peerByteLimit;
    }

    /** The peer lets new data run up to stream offset {@code limit}; a smaller limit (reordered) changes nothing. */
    void raisePeerByteLimit(long limit) {
        peerByteLimit = Math.max(peerByteLimit, limit);
    }

    // ------------------------------------------------------------------ what can go

    boolean hasRetransmissions() {
        return !retransmit.isEmpty();
    }

    /** True if a new chunk waits and the peer's byte limit lets it go. */
    boolean hasNewData() {
        return !unsent.isEmpty() && streamOffset + nextPieceLength() <= peerByteLimit;
    }

    /** True if only the peer's byte limit holds new data back: nothing waits to be sent again. */
    boolean windowBlocked() {
        return !unsent.isEmpty() && streamOffset + nextPieceLength() > peerByteLimit && retransmit.isEmpty();
    }

    /** True if the FIN is owed and may go: every frame is written and no retransmission waits. */
    boolean finReady() {
        return finPending && unsent.isEmpty() && retransmit.isEmpty();
    }

    /** True if there is a retransmission, new data the peer allows, or the FIN to send. */
    boolean hasSendable() {
        return !retransmit.isEmpty() || hasNewData() || finReady();
    }

    /**
     * At most the bytes the unsent frames take written as whole batches: every buffered byte (those
     * in flight too, so it overestimates while data is unacknowledged) and each frame's overhead.
     */
    long unsentWireBytesBound() {
        return bufferedBytes + (long) unsent.size() * FRAME_OVERHEAD;
    }

    /** The payload of the next new fragment, or of the next whole frame. */
    private int nextPieceLength() {
        return Math.min(maxChunkData, unsent.peek().length - unsentHeadOffset);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes the chunks waiting to be sent again, oldest first, while they fit; adds each to
     * {@code written}.
     *
     * @return how many were written
     */
    int writeRetransmissions(PacketCodec.Writer writer, List<OutgoingChunk> written) {
        int count = 0;
        var it = retransmit.values().iterator();
        while (it.hasNext()) {
            OutgoingChunk c = it.next();
            if (c.wireSize > writer.remaining()) {
                break;
            }
            c.writeTo(writer);
            it.remove();
            c.pendingRetransmit = false;
            written.add(c);
            count++;
        }
        return count;
    }

    /**
     * Numbers and writes new chunks, batches of whole frames or fragments of a long one, while they
     * fit the writer and the peer's byte limit; adds each to {@code written}.
     */
    void writeNewChunks(PacketCodec.Writer writer, List<OutgoingChunk> written) {
        while (hasNewData()) {
            byte[] head = unsent.peek();
            OutgoingChunk c = head.length > maxChunkData ? nextFragment(head, writer) : nextBatch(writer);
            if (c == null) {
                return;
            }
            c.writeTo(writer);
            written.add(c);
            unacked.add(c);
            unackedCount++;
        }
    }

    /** Cuts the next fragment of {@code frame}, the head of {@link #unsent}, if it fits the packet. */
    private OutgoingChunk nextFragment(byte[] frame, PacketCodec.Writer writer) {
        int length = Math.min(maxChunkData, frame.length - unsentHeadOffset);
        if (PacketCodec.Writer.chunkSize(nextSeq, frame.length, unsentHeadOffset, length) > writer.remaining()) {
            return null;
        }
        streamOffset += length;
        var c = OutgoingChunk.fragment(nextSeq++, frame, unsentHeadOffset, length, streamOffset);
        unsentHeadOffset += length;
        if (unsentHeadOffset == frame.length) {
            unsent.poll();
            unsentHeadOffset = 0;
        }
        return c;
    }

    /**
     * Gathers the whole frames at the head of {@link #unsent} that fit the packet and the peer's
     * window into one batch, no bigger than a fragment with its header so that it fits any packet
     * it is retransmitted in; null if not even the first fits.
     */
    private OutgoingChunk nextBatch(PacketCodec.Writer writer) {
        int room = Math.min(writer.remaining(), maxChunkData + PacketCodec.MAX_CHUNK_HEADER);
        // the count takes no more bytes than the room does: every frame takes at least two
        int body = room - 1 - VarInt.size(nextSeq) - VarInt.size(room);
        long window = peerByteLimit - streamOffset;
        int count = 0;
        int payload = 0;
        for (byte[] frame : unsent) {
            int size = VarInt.size(frame.length) + frame.length;
            if (frame.length > maxChunkData || size > body || payload + frame.length > window) {
                break;
            }
            body -= size;
            payload += frame.length;
            count++;
        }
        if (count == 0) {
            return null;
        }
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            frames[i] = unsent.poll();
        }
        streamOffset += payload;
        return OutgoingChunk.batch(nextSeq++, frames, payload, streamOffset);
    }

    /**
     * Numbers the FIN, which the caller writes: every frame is numbered once the last one is
     * written, and no more come. Call only when {@link #finReady()}.
     *
     * @return the sequence number no chunk reaches
     */
    long takeFin() {
        finalSeq = nextSeq;
        finPending = false;
        return finalSeq;
    }

    // ------------------------------------------------------------------ acknowledgements and losses

    /** {@code packet} was acknowledged: its chunks, and its FIN, never go again. */
    void onAcked(SentPacket packet) {
        for (OutgoingChunk c : packet.chunks()) {
            markAcked(c);
        }
        if (packet.fin()) {
            finAcked = true;
        }
    }

    private void markAcked(OutgoingChunk c) {
        if (c.acked) {
            return;
        }
        c.acked = true;
        unackedCount--;
        while (!unacked.isEmpty() && unacked.peek().acked) {
            unacked.poll();
        }
        if (c.pendingRetransmit) {
            retransmit.remove(c.seq);
            c.pendingRetransmit = false;
        }
        bufferedBytes -= c.length;
    }

    /** {@code packet} was declared lost: its chunks not acknowledged since, and its FIN, go again. */
    void onLost(SentPacket packet) {
        for (OutgoingChunk c : packet.chunks()) {
            queueRetransmit(c);
        }
        if (packet.fin() && !finAcked) {
            finPending = true;
        }
    }

    /**
     * A probe timeout: unless new data can carry the probes, up to {@code packets} packets' worth of
     * the oldest unacknowledged chunks go again; a FIN sent after every chunk was acknowledged
     * goes again.
     */
    void onProbeTimeout(int packets) {
        if (!hasNewData()) {
            int budget = packets * maxChunkData;
            for (OutgoingChunk c : unacked) {
                if (budget <= 0) {
                    break;
                }
                if (!c.acked && !c.pendingRetransmit) {
                    queueRetransmit(c);
                    budget -= c.length;
                }
            }
        }
        if (finalSeq >= 0 && !finAcked && unackedCount == 0) {
            finPending = true;
        }
    }

    private void queueRetransmit(OutgoingChunk c) {
        if (!c.acked && !c.pendingRetransmit) {
            c.pendingRetransmit = true;
            retransmit.put(c.seq, c);
        }
    }

    /** True if every frame taken was sent and acknowledged, and nothing waits to be sent again. */
    boolean isIdle() {
        return unsent.isEmpty() && retransmit.isEmpty() && unackedCount == 0;
    }

    /** True once the FIN and every chunk were acknowledged: the peer has the whole stream. */
    boolean isFullyAcknowledged() {
        return finAcked && unackedCount == 0;
    }

    /** Forgets every frame and chunk (the session closed); the FIN's state stays. */
    void discard() {
        unsent.clear();
        unsentHeadOffset = 0;
        retransmit.clear();
        unacked.clear();
        unackedCount = 0;
        bufferedBytes = 0;
    }
}
