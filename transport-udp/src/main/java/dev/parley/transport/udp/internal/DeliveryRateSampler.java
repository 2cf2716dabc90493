package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * Estimates the rate at which the path delivers data, one sample per acknowledgement, as in
 * draft-cheng-iccrg-delivery-rate-estimation (the sampler behind BBR in Linux and quiche): each
 * packet remembers, when sent, how much had been delivered and when; when it is acknowledged, the
 * data delivered since over the longer of the send and the ack intervals is the rate. Samples taken
 * while the sender had too little to send are marked application-limited: they show what the
 * sender offered, not what the path can carry. Bytes and nanoseconds. Not thread-safe: owned by one
 * session.
 */
public final class DeliveryRateSampler {

    /**
     * What a packet remembers of the sampler when it is sent.
     *
     * @param delivered     bytes delivered (acknowledged) before it was sent
     * @param deliveredTime when the last of those was acknowledged
     * @param firstSentTime when the first packet of the flight it belongs to was sent
     * @param appLimited    whether the sender was application-limited when it was sent
     */
    public record Snapshot(long delivered, long deliveredTime, long firstSentTime, boolean appLimited) {
        /** For packets sent outside any sampler (tests of other parts). */
        public static final Snapshot NONE = new Snapshot(0, 0, 0, false);
    }

    /**
     * One delivery-rate sample.
     *
     * @param bytesPerSecond delivery rate, or 0 when the acknowledgement gave no valid sample
     * @param newlyDelivered bytes this acknowledgement delivered
     * @param priorDelivered total bytes delivered when the newest acknowledged packet was sent
     * @param rtt            round-trip time of the most recently sent packet acknowledged, or 0
     * @param appLimited     whether the rate was measured while application-limited (a lower bound)
     * @param delivered      total bytes delivered, this acknowledgement included
     */
    public record RateSample(long bytesPerSecond, long newlyDelivered, long priorDelivered, long rtt,
                             boolean appLimited, long delivered) {
        static final RateSample NONE = new RateSample(0, 0, 0, 0, false, 0);

        public boolean valid() {
            return bytesPerSecond > 0;
        }
    }

    private long delivered;
    private long deliveredTime;
    private long firstSentTime;
    /** The delivered count beyond which the current application-limited period ends; 0 when not limited. */
    private long appLimitedUntil;

    /** Bytes delivered (acknowledged) so far. */
    public long delivered() {
        return delivered;
    }

    /** Records the state a packet about to be sent carries; {@code bytesInFlight} excludes it. */
    public Snapshot onPacketSent(long bytesInFlight, long now) {
        if (bytesInFlight == 0) {
            firstSentTime = now;
            deliveredTime = now;
        }
        return new Snapshot(delivered, deliveredTime, firstSentTime, appLimitedUntil != 0);
    }

    /**
     * The sender has nothing more to send though the window would allow it: samples until what is in
     * flight now is delivered are application-limited.
     */
    public void onAppLimited(long bytesInFlight) {
        appLimitedUntil = Math.max(delivered + bytesInFlight, 1);
    }

    /** True while samples are marked application-limited. */
    public boolean isAppLimited() {
        return appLimitedUntil != 0;
    }

    /**
     * Takes the packets one acknowledgement newly acknowledged and returns the sample they make.
     * Intervals shorter than {@code minRtt} are ignored (they measure a burst, not the path).
     */
    public RateSample onAck(List<SentPacket> acked, long minRtt, long now) {
        if (acked.isEmpty()) {
            return RateSample.NONE;
        }
        long newly = 0;
        SentPacket newest = null;
        for (SentPacket p : acked) {
            newly += p.size();
            if (newest == null || p.delivery().delivered() > newest.delivery().delivered()
                    || (p.delivery().delivered() == newest.delivery().delivered() && p.timeSent() > newest.timeSent())) {
                newest = p;
            }
        }
        delivered += newly;
        deliveredTime = now;
        Snapshot prior = newest.delivery();
        // the flight the newest packet began now starts at its send time
        firstSentTime = newest.timeSent();
        if (appLimitedUntil != 0 && delivered > appLimitedUntil) {
            appLimitedUntil = 0;
        }
        long sendElapsed = newest.timeSent() - prior.firstSentTime();
        long ackElapsed = now - prior.deliveredTime();
        long interval = Math.max(sendElapsed, ackElapsed);
        long rtt = now - newest.timeSent();
        long deliveredInInterval = delivered - prior.delivered();
        if (interval <= 0 || interval < minRtt) {
            return new RateSample(0, newly, prior.delivered(), rtt, prior.appLimited(), delivered);
        }
        long rate = (long) (deliveredInInterval * 1e9 / interval);
        return new RateSample(Math.max(rate, 1), newly, prior.delivered(), rtt, prior.appLimited(), delivered);
    }
}
