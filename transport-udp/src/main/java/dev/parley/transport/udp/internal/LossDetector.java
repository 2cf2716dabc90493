package dev.parley.transport.udp.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Loss detection as in RFC 9002 §6: a packet is lost when a packet sent at least 3 packet numbers
 * later was acknowledged (packet threshold) or when it is older than 9/8 of the RTT at the time a
 * later one was acknowledged (time threshold). Tail loss, where nothing later is acknowledged, is
 * caught by the probe timeout (PTO), which backs off exponentially up to a cap. Only ack-eliciting
 * packets are tracked. Times in nanoseconds. Not thread-safe: owned by one session.
 */
public final class LossDetector {

    /** RFC 9002 kPacketThreshold. */
    public static final int PACKET_THRESHOLD = 3;
    /** RFC 9002 kPersistentCongestionThreshold. */
    private static final int PERSISTENT_CONGESTION_THRESHOLD = 3;

    /** What one acknowledgement changed. */
    public record AckResult(List<SentPacket> acked, List<SentPacket> lost, boolean persistentCongestion) {
        static final AckResult NONE = new AckResult(List.of(), List.of(), false);
    }

    private final RttEstimator rtt;
    private final long maxProbeInterval;
    private final NavigableMap<Long, SentPacket> sent = new TreeMap<>();
    private long largestAcked = -1;
    private long lossTime = Long.MAX_VALUE;
    private long lastAckElicitingSent;
    private long firstSampleTime = Long.MAX_VALUE;
    private int ptoCount;

    public LossDetector(RttEstimator rtt, long maxProbeIntervalNanos) {
        this.rtt = rtt;
        this.maxProbeInterval = maxProbeIntervalNanos;
    }

    public void onPacketSent(SentPacket packet) {
        if (packet.ackEliciting()) {
            sent.put(packet.packetNumber(), packet);
            lastAckElicitingSent = packet.timeSent();
        }
    }

    /**
     * Applies an acknowledgement the caller has checked names only packet numbers it has sent.
     *
     * @param ackDelay the delay the peer reported, in nanoseconds
     */
    public AckResult onAck(Frame.Ack ack, long ackDelay, long now) {
        largestAcked = Math.max(largestAcked, ack.largest());
        var acked = new ArrayList<SentPacket>();
        for (Frame.Range range : ack.ranges()) {
            // Ranges come largest first. Under random loss the peer keeps reporting old ranges (a
            // lost packet's number is never received, so its gap stays), most of them below every
            // packet still awaited: the first of those ends the search.
            if (sent.isEmpty() || range.largest() < sent.firstKey()) {
                break;
            }
            takeAcked(range, acked);
        }
        if (acked.isEmpty()) {
            return AckResult.NONE;
        }
        SentPacket newest = acked.getFirst();
        for (SentPacket p : acked) {
            if (p.packetNumber() > newest.packetNumber()) {
                newest = p;
            }
        }
        if (newest.packetNumber() == ack.largest()) {
            rtt.onSample(now - newest.timeSent(), ackDelay);
            firstSampleTime = Math.min(firstSampleTime, now);
        }
        ptoCount = 0;
        List<SentPacket> lost = detectLost(now);
        return new AckResult(acked, lost, persistentCongestion(lost, acked));
    }

    /**
     * Moves the packets awaited within {@code range} to {@code acked}, in packet-number order: one
     * search for the first, then the tree's own successor links, each removed where it stands.
     */
    private void takeAcked(Frame.Range range, List<SentPacket> acked) {
        Iterator<SentPacket> awaited = sent.tailMap(range.smallest(), true).values().iterator();
        while (awaited.hasNext()) {
            SentPacket packet = awaited.next();
            if (packet.packetNumber() > range.largest()) {
                return;
            }
            acked.add(packet);
            awaited.remove();
        }
    }

    /** Declares lost what the thresholds say is lost now; used when the loss timer fires. */
    public List<SentPacket> detectLost(long now) {
        lossTime = Long.MAX_VALUE;
        if (largestAcked < 0) {
            return List.of();
        }
        long lossDelay = rtt.lossDelay();
        long lostSendTime = now - lossDelay;
        var lost = new ArrayList<SentPacket>();
        var candidates = sent.headMap(largestAcked, false).values().iterator();
        while (candidates.hasNext()) {
            SentPacket p = candidates.next();
            if (p.timeSent() <= lostSendTime || largestAcked >= p.packetNumber() + PACKET_THRESHOLD) {
                lost.add(p);
                candidates.remove();
            } else {
                lossTime = Math.min(lossTime, p.timeSent() + lossDelay);
            }
        }
        return lost;
    }

    /**
     * Persistent congestion (RFC 9002 §7.6), simplified to what this detector knows: the lost
     * packets span more than three probe timeouts, were all sent after the first RTT sample, and no
     * packet sent within that span was acknowledged.
     */
    private boolean persistentCongestion(List<SentPacket> lost, List<SentPacket> acked) {
        if (lost.size() < 2 || !rtt.hasSample()) {
            return false;
        }
        long first = lost.getFirst().timeSent();
        long last = lost.getLast().timeSent();
        if (first < firstSampleTime || last - first <= PERSISTENT_CONGESTION_THRESHOLD * rtt.probeTimeout()) {
            return false;
        }
        return acked.stream().noneMatch(p -> p.timeSent() > first && p.timeSent() < last);
    }

    /** When the loss timer or the probe timer fires next; {@link Long#MAX_VALUE} if neither is armed. */
    public long deadline() {
        return lossTime != Long.MAX_VALUE ? lossTime : probeDeadline();
    }

    /** True if the deadline that fires next is the loss timer (else it is the probe timeout). */
    public boolean lossTimerArmed() {
        return lossTime != Long.MAX_VALUE;
    }

    /** When the probe timeout fires, or {@link Long#MAX_VALUE} when nothing is in flight. */
    public long probeDeadline() {
        if (sent.isEmpty()) {
            return Long.MAX_VALUE;
        }
        return lastAckElicitingSent + currentProbeTimeout();
    }

    /** The probe timeout with backoff: PTO × 2^count, capped. */
    public long currentProbeTimeout() {
        long pto = rtt.probeTimeout();
        int shift = Math.min(ptoCount, 30);
        return pto > maxProbeInterval >> shift ? maxProbeInterval : pto << shift;
    }

    /** Counts one probe timeout; returns the consecutive count. */
    public int onProbeTimeout() {
        return ++ptoCount;
    }

    public int ptoCount() {
        return ptoCount;
    }

    public boolean hasInFlight() {
        return !sent.isEmpty();
    }

    /** Forgets every packet (the connection is closing); returns them. */
    public List<SentPacket> clear() {
        var all = new ArrayList<>(sent.values());
        sent.clear();
        lossTime = Long.MAX_VALUE;
        return all;
    }
}
