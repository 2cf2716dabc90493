package dev.parley.transport.udp.internal;

import java.util.List;

/**
 * NewReno congestion control as specified in RFC 9002 §7: slow start, congestion avoidance,
 * one window reduction per recovery period, and a collapse to the minimum window on persistent
 * congestion. Bytes and nanoseconds. Not thread-safe: owned by one session.
 */
public final class NewReno {

    private final int maxDatagramSize;
    private final long minWindow;
    private final long maxWindow;
    private long window;
    private long ssthresh = Long.MAX_VALUE;
    private long bytesInFlight;
    private long recoveryStart = Long.MIN_VALUE;
    private boolean inRecoveryPeriod;

    public NewReno(int maxDatagramSize, long initialWindow, long minWindow, long maxWindow) {
        this.maxDatagramSize = maxDatagramSize;
        this.window = initialWindow;
        this.minWindow = minWindow;
        this.maxWindow = maxWindow;
    }

    public long window() {
        return window;
    }

    public long ssthresh() {
        return ssthresh;
    }

    public long bytesInFlight() {
        return bytesInFlight;
    }

    /** True while a packet of {@code size} bytes may be sent now. */
    public boolean canSend(int size) {
        return bytesInFlight + size <= window;
    }

    public boolean inSlowStart() {
        return window < ssthresh;
    }

    public void onPacketSent(SentPacket packet) {
        if (packet.inFlight()) {
            bytesInFlight += packet.size();
        }
    }

    /** RFC 9002 OnPacketsAcked: the window grows unless the packet was sent before recovery began. */
    public void onPacketAcked(SentPacket packet) {
        if (!packet.inFlight()) {
            return;
        }
        bytesInFlight -= packet.size();
        if (inRecovery(packet.timeSent())) {
            return;
        }
        if (window < ssthresh) {
            window += packet.size();
        } else {
            window += Math.max(1, (long) maxDatagramSize * packet.size() / window);
        }
        window = Math.min(window, maxWindow);
    }

    /**
     * RFC 9002 OnPacketsLost: one reduction per recovery period; persistent congestion resets the
     * window to the minimum.
     */
    public void onPacketsLost(List<SentPacket> lost, long now, boolean persistentCongestion) {
        long latestSent = Long.MIN_VALUE;
        for (SentPacket p : lost) {
            if (p.inFlight()) {
                bytesInFlight -= p.size();
                latestSent = Math.max(latestSent, p.timeSent());
            }
        }
        if (latestSent == Long.MIN_VALUE) {
            return;
        }
        onCongestionEvent(latestSent, now);
        if (persistentCongestion) {
            window = minWindow;
            inRecoveryPeriod = false;
        }
    }

    /** A packet that is forgotten without being acked or lost (the connection is discarding state). */
    public void onPacketDiscarded(SentPacket packet) {
        if (packet.inFlight()) {
            bytesInFlight -= packet.size();
        }
    }

    private void onCongestionEvent(long sentTime, long now) {
        if (inRecovery(sentTime)) {
            return;
        }
        recoveryStart = now;
        inRecoveryPeriod = true;
        ssthresh = Math.max(window / 2, minWindow);
        window = ssthresh;
    }

    private boolean inRecovery(long sentTime) {
        return inRecoveryPeriod && sentTime <= recoveryStart;
    }
}
