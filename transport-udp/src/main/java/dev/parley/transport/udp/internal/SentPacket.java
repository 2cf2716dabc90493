package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * What a session remembers of one DATA packet it sent, until it is acknowledged or declared lost.
 * Owned by one session; not thread-safe.
 *
 * @param packetNumber the packet's number
 * @param timeSent     when it was sent, in nanoseconds
 * @param size         its length in bytes
 * @param ackEliciting whether it needs an acknowledgement (and so counts in flight)
 * @param chunks       the reliable fragments it carried, to retransmit if it is lost
 * @param fin          whether it carried the FIN
 * @param delivery     the delivery-rate sampler's state when it was sent
 */
public record SentPacket(long packetNumber, long timeSent, int size, boolean ackEliciting,
                         List<OutgoingChunk> chunks, boolean fin, DeliveryRateSampler.Snapshot delivery) {

    /** A packet sent with no delivery-rate sampling (tests of loss detection and windows). */
    public SentPacket(long packetNumber, long timeSent, int size, boolean ackEliciting, List<OutgoingChunk> chunks,
                      boolean fin) {
        this(packetNumber, timeSent, size, ackEliciting, chunks, fin, DeliveryRateSampler.Snapshot.NONE);
    }

    /** Ack-eliciting packets count against the congestion window; acks alone do not (RFC 9002 §2). */
    public boolean inFlight() {
        return ackEliciting;
    }
}
