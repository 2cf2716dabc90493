package dev.parley.transport.udp.internal;

/**
 * NewReno congestion control as specified in RFC 9002 §7: slow start, congestion avoidance growing
 * the window by about one datagram per window acknowledged, and halving it once per recovery
 * period. Bytes and nanoseconds. Not thread-safe: owned by one session.
 */
public final class NewReno extends LossBasedController {

    public NewReno(int maxDatagramSize, long initialWindow, long minWindow, long maxWindow) {
        super(maxDatagramSize, initialWindow, minWindow, maxWindow);
    }

    @Override
    protected long congestionAvoidance(int ackedBytes, RttEstimator rtt, long now) {
        return window + Math.max(1, (long) maxDatagramSize * ackedBytes / window);
    }

    @Override
    protected void reduce(long now) {
        ssthresh = Math.max(window / 2, minWindow);
        window = ssthresh;
    }
}
