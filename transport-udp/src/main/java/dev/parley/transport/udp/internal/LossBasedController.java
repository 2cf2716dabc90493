package dev.parley.transport.udp.internal;

import java.util.List;
import java.util.Map;

/**
 * What loss-based controllers share (RFC 9002 §7, RFC 9438 §4): slow start, one window reduction
 * per recovery period, a collapse to the minimum window on persistent congestion, no growth from
 * packets sent while application-limited (RFC 9002 §7.8), and pacing at 1.25 × window / smoothed RTT
 * (RFC 9002 §7.7). Subclasses say how the window grows in congestion avoidance and how much a
 * congestion event takes from it. Not thread-safe: owned by one session.
 */
public abstract sealed class LossBasedController implements CongestionController permits NewReno, Cubic {

    /** RFC 9002 §7.7: pace a little faster than window / RTT, so that pacing never limits the window. */
    static final double PACING_GAIN = 1.25;

    protected final int maxDatagramSize;
    protected final long minWindow;
    protected final long maxWindow;
    protected long window;
    protected long ssthresh = Long.MAX_VALUE;
    private long recoveryStart = Long.MIN_VALUE;
    private boolean inRecoveryPeriod;

    protected LossBasedController(int maxDatagramSize, long initialWindow, long minWindow, long maxWindow) {
        this.maxDatagramSize = maxDatagramSize;
        this.window = initialWindow;
        this.minWindow = minWindow;
        this.maxWindow = maxWindow;
    }

    @Override
    public final long window() {
        return window;
    }

    public final long ssthresh() {
        return ssthresh;
    }

    public final boolean inSlowStart() {
        return window < ssthresh;
    }

    @Override
    public void onPacketSent(SentPacket packet, long bytesInFlight, long now) {
    }

    /** RFC 9002 OnPacketsAcked: the window grows unless the packet was sent before recovery began or while app-limited. */
    @Override
    public final void onAck(List<SentPacket> acked, DeliveryRateSampler.RateSample sample, RttEstimator rtt,
                            long bytesInFlight, long now) {
        for (SentPacket packet : acked) {
            if (inRecovery(packet.timeSent())) {
                continue;
            }
            inRecoveryPeriod = false;
            if (packet.delivery().appLimited()) {
                continue;
            }
            if (window < ssthresh) {
                window += packet.size();
            } else {
                window = congestionAvoidance(packet.size(), rtt, now);
            }
            window = Math.clamp(window, minWindow, maxWindow);
        }
    }

    /** The window after {@code ackedBytes} more were acknowledged in congestion avoidance. */
    protected abstract long congestionAvoidance(int ackedBytes, RttEstimator rtt, long now);

    /** Takes a congestion event's reduction: sets {@link #window} and {@link #ssthresh}. */
    protected abstract void reduce(long now);

    /** Forgets what the window had learnt: the path was broken for a while (RFC 9002 §7.6.2). */
    protected void onPersistentCongestion() {
    }

    /**
     * RFC 9002 OnPacketsLost: one reduction per recovery period; persistent congestion resets the
     * window to the minimum.
     */
    @Override
    public final void onPacketsLost(List<SentPacket> lost, boolean persistentCongestion, long bytesInFlight,
                                    long now) {
        long latestSent = Long.MIN_VALUE;
        for (SentPacket p : lost) {
            latestSent = Math.max(latestSent, p.timeSent());
        }
        if (latestSent == Long.MIN_VALUE) {
            return;
        }
        if (!inRecovery(latestSent)) {
            recoveryStart = now;
            inRecoveryPeriod = true;
            reduce(now);
        }
        if (persistentCongestion) {
            window = minWindow;
            inRecoveryPeriod = false;
            onPersistentCongestion();
        }
    }

    @Override
    public final long pacingRate(RttEstimator rtt) {
        return (long) (PACING_GAIN * window * 1e9 / Math.max(rtt.smoothed(), 1));
    }

    @Override
    public void describe(Map<String, Long> details) {
        details.put("cwndBytes", window);
        details.put("ssthreshBytes", ssthresh == Long.MAX_VALUE ? -1 : ssthresh);
    }

    private boolean inRecovery(long sentTime) {
        return inRecoveryPeriod && sentTime <= recoveryStart;
    }
}
