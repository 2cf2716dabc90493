package dev.parley.server.store;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link RedisStore} talks to Redis.
 *
 * @param connectTimeout   how long opening a connection (and signing in) may take
 *                         (default {@value #DEFAULT_CONNECT_TIMEOUT_MILLIS} ms)
 * @param commandTimeout   how long a batch of commands may wait for its replies before the
 *                         connection counts as lost (default {@value #DEFAULT_COMMAND_TIMEOUT_MILLIS} ms)
 * @param minReconnectDelay the wait before the first attempt to reconnect after losing Redis; it
 *                         doubles after each failed attempt (default {@value #DEFAULT_MIN_RECONNECT_MILLIS} ms)
 * @param maxReconnectDelay the longest wait between attempts (default {@value #DEFAULT_MAX_RECONNECT_MILLIS} ms)
 * @param connections      connections to Redis, each with a writer thread pipelining its batches;
 *                         a conversation always uses the same one, so its operations keep their
 *                         order. More let Redis serve more batches per event loop, and so per
 *                         fsync (default {@value #DEFAULT_CONNECTIONS})
 * @param tls              for a {@code rediss://} address, the TLS context whose trust checks
 *                         Redis's certificate; null (the default) for the JVM's own, which trusts
 *                         the JDK's certificate authorities or {@code -Djavax.net.ssl.trustStore}
 * @param maxCarriedBytes  the longest hint, in bytes, that carries the messages an append posted
 *                         (see {@link RedisScripts#APPEND}); an append whose messages would make it
 *                         longer publishes only the feed's cursor, and nodes read the feed. Every
 *                         node subscribed receives every hint, so this bounds what one append costs
 *                         each of them and Redis's pub/sub buffers; 0 carries nothing
 *                         (default {@value #DEFAULT_MAX_CARRIED_BYTES})
 */
public record RedisOptions(Duration connectTimeout, Duration commandTimeout, Duration minReconnectDelay,
                           Duration maxReconnectDelay, int connections, SSLContext tls, int maxCarriedBytes) {

    public static final long DEFAULT_CONNECT_TIMEOUT_MILLIS = 2_000;
    public static final long DEFAULT_COMMAND_TIMEOUT_MILLIS = 5_000;
    public static final long DEFAULT_MIN_RECONNECT_MILLIS = 100;
    public static final long DEFAULT_MAX_RECONNECT_MILLIS = 5_000;
    public static final int DEFAULT_CONNECTIONS = 4;
    public static final int DEFAULT_MAX_CARRIED_BYTES = 64 * 1024;

    public RedisOptions {
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(commandTimeout, "commandTimeout");
        requirePositive(minReconnectDelay, "minReconnectDelay");
        requirePositive(maxReconnectDelay, "maxReconnectDelay");
        if (maxReconnectDelay.compareTo(minReconnectDelay) < 0) {
            throw new IllegalArgumentException("maxReconnectDelay " + maxReconnectDelay
                    + " is shorter than minReconnectDelay " + minReconnectDelay);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be at least 1, not " + connections);
        }
        if (maxCarriedBytes < 0) {
            throw new IllegalArgumentException("maxCarriedBytes must be 0 or more, not " + maxCarriedBytes);
        }
    }

    /** The defaults above. */
    public static RedisOptions defaults() {
        return new RedisOptions(Duration.ofMillis(DEFAULT_CONNECT_TIMEOUT_MILLIS),
                Duration.ofMillis(DEFAULT_COMMAND_TIMEOUT_MILLIS), Duration.ofMillis(DEFAULT_MIN_RECONNECT_MILLIS),
                Duration.ofMillis(DEFAULT_MAX_RECONNECT_MILLIS), DEFAULT_CONNECTIONS, null, DEFAULT_MAX_CARRIED_BYTES);
    }

    /** These options with {@code timeout} for commands. */
    public RedisOptions withCommandTimeout(Duration timeout) {
        return new RedisOptions(connectTimeout, timeout, minReconnectDelay, maxReconnectDelay, connections, tls,
                maxCarriedBytes);
    }

    /** These options waiting {@code min} to {@code max} between attempts to reconnect. */
    public RedisOptions withReconnectDelays(Duration min, Duration max) {
        return new RedisOptions(connectTimeout, commandTimeout, min, max, connections, tls, maxCarriedBytes);
    }

    /** These options with {@code count} connections. */
    public RedisOptions withConnections(int count) {
        return new RedisOptions(connectTimeout, commandTimeout, minReconnectDelay, maxReconnectDelay, count, tls,
                maxCarriedBytes);
    }

    /** These options checking a {@code rediss://} Redis's certificate with {@code context}'s trust. */
    public RedisOptions withTls(SSLContext context) {
        return new RedisOptions(connectTimeout, commandTimeout, minReconnectDelay, maxReconnectDelay, connections,
                Objects.requireNonNull(context, "context"), maxCarriedBytes);
    }

    /** These options carrying an append's messages in hints of at most {@code bytes} (0: never). */
    public RedisOptions withMaxCarriedBytes(int bytes) {
        return new RedisOptions(connectTimeout, commandTimeout, minReconnectDelay, maxReconnectDelay, connections, tls,
                bytes);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero() || value.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be 1 ms to about 24 days, not " + value);
        }
    }
}
