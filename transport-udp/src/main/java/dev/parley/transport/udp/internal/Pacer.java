package dev.parley.transport.udp.internal;

/**
 * Spreads packets over the round trip instead of sending a window in one burst (RFC 9002 §7.7):
 * a token bucket refilled at 1.25 × cwnd / srtt, holding at most a burst of
 * {@code burstPackets} packets. Bytes and nanoseconds. Not thread-safe: owned by one session.
 */
public final class Pacer {

    private final double burstBytes;
    private double tokens;
    private long lastRefill;

    public Pacer(int maxPacketSize, int burstPackets, long now) {
        this.burstBytes = (long) maxPacketSize * burstPackets;
        this.tokens = burstBytes;
        this.lastRefill = now;
    }

    /** When a packet of {@code size} bytes may leave, given the window and RTT now: {@code now} or later. */
    public long nextSendTime(long now, int size, long window, long srtt) {
        refill(now, window, srtt);
        if (tokens >= size) {
            return now;
        }
        return now + Math.max(1, (long) Math.ceil((size - tokens) / rate(window, srtt)));
    }

    /** Takes a sent packet's bytes from the bucket. */
    public void onSent(int size) {
        tokens -= size;
    }

    private void refill(long now, long window, long srtt) {
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burstBytes, tokens + elapsed * rate(window, srtt));
            lastRefill = now;
        }
    }

    private static double rate(long window, long srtt) {
        return 1.25 * window / Math.max(srtt, 1);
    }
}
