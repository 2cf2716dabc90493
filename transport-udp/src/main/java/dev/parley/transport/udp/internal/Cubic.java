package dev.parley.transport.udp.internal;

import java.util.Map;

/**
 * CUBIC congestion control as specified in RFC 9438: after a congestion event the window follows
 * W_cubic(t) = C × (t − K)³ + W_max, concave up to where the last loss happened and convex beyond,
 * so it regains its old size within K seconds whatever the RTT; in the Reno-friendly region
 * (short RTTs, where W_cubic would grow slower than Reno) it grows like Reno with
 * α = 3(1 − β)/(1 + β) (§4.3); a reduction keeps β = 0.7 of the window (§4.6), and fast convergence
 * (§4.7) lowers W_max when a flow loses again below it, leaving room to a newcomer. Slow start,
 * recovery periods and persistent congestion are {@link LossBasedController}'s. Bytes and
 * nanoseconds (the formulas' segments and seconds converted). Not thread-safe: owned by one session.
 */
public final class Cubic extends LossBasedController {

    /** RFC 9438 C: segments per second cubed. */
    static final double C = 0.4;
    /** RFC 9438 β_cubic: the share of the window a reduction keeps. */
    static final double BETA = 0.7;
    /** RFC 9438 α_cubic: the Reno-friendly additive increase, in segments per RTT, while below W_max. */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);

    private static final long NO_EPOCH = Long.MIN_VALUE;

    /** The window, bytes, just before the last reduction (after fast convergence). */
    private double wMax;
    /** Seconds from the start of the epoch until W_cubic reaches W_max again. */
    private double k;
    /** When the current congestion-avoidance epoch began, or {@link #NO_EPOCH}. */
    private long epochStart = NO_EPOCH;
    /** The Reno-friendly estimate of the window, bytes. */
    private double wEst;

    public Cubic(int maxDatagramSize, long initialWindow, long minWindow, long maxWindow) {
        super(maxDatagramSize, initialWindow, minWindow, maxWindow);
    }

    /** W_cubic(t), bytes, {@code t} seconds into the epoch. */
    double cubicWindow(double t) {
        double d = t - k;
        return C * d * d * d * maxDatagramSize + wMax;
    }

    double k() {
        return k;
    }

    double wMax() {
        return wMax;
    }

    @Override
    protected long congestionAvoidance(int ackedBytes, RttEstimator rtt, long now) {
        if (epochStart == NO_EPOCH) {
            epochStart = now;
            wEst = window;
            if (window < wMax) {
                k = Math.cbrt((wMax - window) / (C * maxDatagramSize));
            } else {
                k = 0;
                wMax = window;
            }
        }
        double t = (now - epochStart) / 1e9;
        double target = Math.clamp(cubicWindow(t + rtt.smoothed() / 1e9), window, 1.5 * window);
        double alpha = wEst < wMax ? ALPHA : 1;
        wEst += alpha * maxDatagramSize * ackedBytes / window;
        if (cubicWindow(t) < wEst) {
            return (long) wEst;
        }
        return window + Math.max(0, (long) ((target - window) * ackedBytes / window));
    }

    @Override
    protected void reduce(long now) {
        epochStart = NO_EPOCH;
        boolean fastConvergence = window < wMax;
        wMax = fastConvergence ? window * (1 + BETA) / 2 : window;
        ssthresh = Math.max((long) (window * BETA), minWindow);
        window = ssthresh;
    }

    @Override
    protected void onPersistentCongestion() {
        epochStart = NO_EPOCH;
        wMax = window;
    }

    @Override
    public void describe(Map<String, Long> details) {
        super.describe(details);
        details.put("cubicWMaxBytes", (long) wMax);
    }
}
