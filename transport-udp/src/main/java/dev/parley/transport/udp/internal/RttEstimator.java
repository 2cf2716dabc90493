package dev.parley.transport.udp.internal;

/**
 * Round-trip time estimation as in RFC 9002 §5 (the RFC 6298 smoothing with QUIC's ack-delay
 * correction). Times in nanoseconds. Not thread-safe: owned by one session.
 */
public final class RttEstimator {

    /** Timer granularity (RFC 9002 kGranularity): no timer is armed for less. */
    public static final long GRANULARITY_NANOS = 1_000_000;

    /** How long the peer may hold an acknowledgement: assumed, then what it said in the handshake. */
    private long maxAckDelayNanos;
    private long latest;
    private long smoothed;
    private long variance;
    private long min = Long.MAX_VALUE;
    private boolean sampled;

    /**
     * @param initialRttNanos  the estimate before any sample
     * @param maxAckDelayNanos how long the peer may hold an acknowledgement, until it says (see
     *                         {@link #peerMaxAckDelay})
     */
    public RttEstimator(long initialRttNanos, long maxAckDelayNanos) {
        this.maxAckDelayNanos = maxAckDelayNanos;
        this.smoothed = initialRttNanos;
        this.variance = initialRttNanos / 2;
        this.latest = initialRttNanos;
    }

    /** Takes one sample: {@code rtt} measured, of which the peer says it held the ack {@code ackDelay}. */
    public void onSample(long rtt, long ackDelay) {
        rtt = Math.max(rtt, 1);
        latest = rtt;
        min = Math.min(min, rtt);
        if (!sampled) {
            sampled = true;
            smoothed = rtt;
            variance = rtt / 2;
            return;
        }
        long delay = Math.min(ackDelay, maxAckDelayNanos);
        long adjusted = rtt >= min + delay ? rtt - delay : rtt;
        variance = (3 * variance + Math.abs(smoothed - adjusted)) / 4;
        smoothed = (7 * smoothed + adjusted) / 8;
    }

    /** The peer said in the handshake how long it may hold an acknowledgement. */
    public void peerMaxAckDelay(long nanos) {
        maxAckDelayNanos = nanos;
    }

    /** How long the peer may hold an acknowledgement, as this side counts it. */
    public long maxAckDelay() {
        return maxAckDelayNanos;
    }

    public long smoothed() {
        return smoothed;
    }

    public long variance() {
        return variance;
    }

    /** The smallest sample so far, or 0 before any. */
    public long min() {
        return sampled ? min : 0;
    }

    public boolean hasSample() {
        return sampled;
    }

    /** The probe timeout before backoff: srtt + max(4 rttvar, granularity) + max ack delay (RFC 9002 §6.2.1). */
    public long probeTimeout() {
        return smoothed + Math.max(4 * variance, GRANULARITY_NANOS) + maxAckDelayNanos;
    }

    /** How long after a later packet was acknowledged an earlier one counts as lost: 9/8 of the RTT. */
    public long lossDelay() {
        long rtt = Math.max(latest, smoothed);
        return Math.max(rtt + rtt / 8, GRANULARITY_NANOS);
    }
}
