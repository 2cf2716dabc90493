package dev.parley.server;

/**
 * One connection's request budget: a token bucket holding up to {@code burst} tokens, refilled at
 * {@code perSecond}; each request takes one, and a request that finds none is refused. It also
 * counts refusals in a row, so that a client that goes on flooding can be sent away.
 *
 * <p>Time comes from the caller, in {@link System#nanoTime()} units, so tests drive it with a
 * clock of their own. Not thread-safe: the {@link Gate} uses it holding the server's lock.
 */
final class RateLimit {

    /** What becomes of one request. */
    enum Verdict {
        /** Within the budget: carry it out. */
        ALLOW,
        /** Over the budget: refuse it. */
        REFUSE,
        /** Over the budget once too often in a row: close the connection. */
        DISCONNECT
    }

    private static final double NANOS_PER_SECOND = 1e9;

    private final int perSecond;
    private final int burst;
    private final int maxRefusedInARow;
    private double tokens;
    private long lastNanos;
    private int refusedInARow;

    /** A full bucket at {@code nowNanos}; a {@code perSecond} of 0 allows everything. */
    RateLimit(int perSecond, int burst, int maxRefusedInARow, long nowNanos) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxRefusedInARow = maxRefusedInARow;
        this.tokens = burst;
        this.lastNanos = nowNanos;
    }

    /** Takes a token for a request arriving at {@code nowNanos}, if there is one. */
    Verdict take(long nowNanos) {
        if (perSecond == 0) {
            return Verdict.ALLOW;
        }
        tokens = Math.min(burst, tokens + (nowNanos - lastNanos) * perSecond / NANOS_PER_SECOND);
        lastNanos = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            refusedInARow = 0;
            return Verdict.ALLOW;
        }
        refusedInARow++;
        return refusedInARow >= maxRefusedInARow ? Verdict.DISCONNECT : Verdict.REFUSE;
    }
}
