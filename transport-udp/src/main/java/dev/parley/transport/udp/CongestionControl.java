package dev.parley.transport.udp;

/**
 * Which congestion controller a UDP connection's sender runs; see {@link UdpOptions#congestionControl()}.
 */
public enum CongestionControl {
    /**
     * NewReno (RFC 9002 §7): halves the window on each loss event. Cautious; on a lossy link every
     * random loss costs it half its rate.
     */
    NEWRENO,
    /**
     * CUBIC (RFC 9438), the default of Linux TCP: keeps 0.7 of the window on a loss and regains it
     * along a cubic curve; fair to TCP flows sharing a bottleneck.
     */
    CUBIC,
    /**
     * A BBR-style model-based controller: paces at the measured bottleneck bandwidth and keeps about
     * two bandwidth-delay products in flight; random loss does not lower its rate, only heavy loss
     * within a round does.
     */
    BBR
}
