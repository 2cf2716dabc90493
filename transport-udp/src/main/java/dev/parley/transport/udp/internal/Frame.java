package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * The frames a DATA packet carries, as decoded by {@link PacketCodec}. Immutable values; any thread.
 */
public sealed interface Frame {

    /** Whether a packet holding this frame must be acknowledged (RFC 9002 "ack-eliciting"). */
    boolean ackEliciting();

    /** One inclusive range of packet numbers, {@code smallest <= largest}. */
    record Range(long smallest, long largest) {
        public Range {
            if (smallest < 0 || smallest > largest) {
                throw new IllegalArgumentException("bad range " + smallest + ".." + largest);
            }
        }
    }

    /**
     * Acknowledges packet numbers, plus the receiver's flow-control limit.
     *
     * @param ranges         acknowledged packet numbers, largest range first, disjoint and not adjacent
     * @param ackDelayMicros how long the receiver held the acknowledgement of the largest packet
     * @param byteLimit      the sender may send reliable payload up to this stream offset
     */
    record Ack(List<Range> ranges, long ackDelayMicros, long byteLimit) implements Frame {
        public Ack {
            ranges = List.copyOf(ranges);
            if (ranges.isEmpty()) {
                throw new IllegalArgumentException("an ack needs at least one range");
            }
        }

        public long largest() {
            return ranges.getFirst().largest();
        }

        @Override
        public boolean ackEliciting() {
            return false;
        }
    }

    /** A numbered piece of the reliable stream: a {@link Chunk} of one frame or a {@link Batch} of whole ones. */
    sealed interface Segment extends Frame {
        /** The position in the connection's ordered fragment stream. */
        long seq();

        /** Payload bytes, as flow control counts them. */
        int payloadLength();

        @Override
        default boolean ackEliciting() {
            return true;
        }
    }

    /**
     * One fragment of a reliable frame: bytes {@code [offset, offset + data.length)} of a frame of
     * {@code frameLength} bytes, numbered {@code seq} in the connection's ordered fragment stream.
     */
    record Chunk(long seq, int frameLength, int offset, byte[] data) implements Segment {
        @Override
        public int payloadLength() {
            return data.length;
        }
    }

    /** Whole reliable frames, in order, sharing the one sequence number {@code seq}; never empty. */
    record Batch(long seq, byte[][] frames) implements Segment {
        @Override
        public int payloadLength() {
            int total = 0;
            for (byte[] frame : frames) {
                total += frame.length;
            }
            return total;
        }
    }

    /** An unreliable frame, whole: delivered if it arrives, never retransmitted. */
    record Datagram(byte[] data) implements Frame {
        @Override
        public boolean ackEliciting() {
            return true;
        }
    }

    /** Asks for an acknowledgement: keepalives and probes. */
    record Ping() implements Frame {
        @Override
        public boolean ackEliciting() {
            return true;
        }
    }

    /** The sender will send no fragment numbered {@code finalSeq} or above: a graceful close. */
    record Fin(long finalSeq) implements Frame {
        @Override
        public boolean ackEliciting() {
            return true;
        }
    }

    /** The sender dropped the connection at once; {@code code} says why (see {@link ResetCode}). */
    record Reset(int code) implements Frame {
        @Override
        public boolean ackEliciting() {
            return false;
        }
    }
}
