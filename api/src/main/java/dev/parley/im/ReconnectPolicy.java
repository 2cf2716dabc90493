package dev.parley.im;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link ImClient} gets back to the server when its connection drops: up to
 * {@code maxAttempts} tries in a row, the n-th after a delay drawn between half and all of
 * {@code min(maxDelay, initialDelay × 2^(n-1))} (exponential backoff with jitter, so that clients
 * cut off together do not come back together). Immutable.
 *
 * @param maxAttempts  tries before giving up and reporting the connection closed; 0 never reconnects
 * @param initialDelay the delay before the first try (at most; jitter takes up to half of it off)
 * @param maxDelay     the longest delay between tries
 */
public record ReconnectPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay) {

    /** Never reconnect: a dropped connection ends the client, as {@link ImListener#onDisconnected} says. */
    public static final ReconnectPolicy NEVER = new ReconnectPolicy(0, Duration.ZERO, Duration.ZERO);

    /** Default {@link #maxAttempts()}: with the default delays, about a minute and a half of trying. */
    public static final int DEFAULT_MAX_ATTEMPTS = 15;
    /** Default {@link #initialDelay()}, in milliseconds. */
    public static final int DEFAULT_INITIAL_DELAY_MILLIS = 100;
    /** Default {@link #maxDelay()}, in milliseconds. */
    public static final int DEFAULT_MAX_DELAY_MILLIS = 10_000;

    public ReconnectPolicy {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must not be negative, was " + maxAttempts);
        }
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("delays must be 0 <= initialDelay <= maxDelay, were " + initialDelay
                    + " and " + maxDelay);
        }
    }

    /** The defaults above. */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(DEFAULT_MAX_ATTEMPTS, Duration.ofMillis(DEFAULT_INITIAL_DELAY_MILLIS),
                Duration.ofMillis(DEFAULT_MAX_DELAY_MILLIS));
    }

    /** The longest delay before try {@code attempt} (from 1), before jitter. */
    long delayMillis(int attempt) {
        long delay = initialDelay.toMillis() << Math.min(attempt - 1, 30);
        return delay < 0 ? maxDelay.toMillis() : Math.min(delay, maxDelay.toMillis());
    }
}
