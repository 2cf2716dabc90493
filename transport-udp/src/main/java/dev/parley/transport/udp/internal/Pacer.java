package dev.parley.transport.udp.internal;

/**
 * Spreads packets over the round trip instead of sending a window in one burst (RFC 9002 §7.7):
 * a token bucket refilled at the rate the congestion controller asks for, holding at most a burst
 * of {@code burstPackets} packets. Bytes and nanoseconds. Not thread-safe: owned by one session.
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

    /**
     * When a packet of {@code size} bytes may leave at {@code bytesPerSecond}: {@code now} or later.
     */
    public long nextSendTime(long now, int size, long bytesPerSecond) {
        double perNano = Math.max(bytesPerSecond, 1) / 1e9;
        refill(now, perNano);
        if (tokens >= size) {
            return now;
        }
        return now + Math.max(1, (long) Math.ceil((size - tokens) / perNano));
    }

    /** Takes a sent packet's bytes from the bucket. */
    public void onSent(int size) {
        tokens -= size;
    }

    private void refill(long now, double perNano) {
        long elapsed = now - lastRefill;
        if (elapsed > 0) {
            tokens = Math.min(burstBytes, tokens + elapsed * perNano);
            lastRefill = now;
        }
    }
}
