package dev.parley.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timeouts every transport honours. Immutable; start from {@link #defaults()} and
 * change what you need:
 *
 * <pre>{@code
 * TransportOptions options = TransportOptions.defaults().toBuilder()
 *         .idleTimeout(Duration.ofSeconds(30))
 *         .build();
 * }</pre>
 *
 * @param maxFrameLength    largest frame, in bytes, sent or accepted; a longer one is refused
 *                          before any memory is set aside for it. Default 1 MiB.
 * @param maxQueuedBytes    outbound queue per connection, in bytes; a full queue makes
 *                          {@code send} wait and {@code trySend} refuse. A frame larger than this
 *                          is still accepted when the queue is empty. Default 4 MiB.
 * @param maxConnections    connections one listener keeps open at once; more are refused at once.
 *                          Default 10,000.
 * @param connectTimeout    how long {@code connect} waits for the peer. Default 10 s.
 * @param idleTimeout       a connection on which no whole frame or keepalive arrives for this long
 *                          is closed with {@code IDLE_TIMEOUT}, so a peer trickling the bytes of a
 *                          frame it never finishes is closed too; {@link Duration#ZERO} disables
 *                          it. Default 60 s.
 * @param keepAliveInterval a connection that has sent nothing for this long sends a keepalive, so
 *                          a quiet but healthy peer is not taken for idle; must be shorter than
 *                          the idle timeout. A transport whose handshake tells each side the
 *                          other's idle timeout (UDP) sends keepalives more often where the peer's
 *                          is too short for this interval. {@link Duration#ZERO} disables it.
 *                          Default 15 s.
 * @param closeTimeout      how long a graceful close may spend delivering queued frames before it
 *                          gives up and resets. Default 5 s. Each of the four timeouts is at most
 *                          {@link #MAX_TIMEOUT}.
 * @param maxUnfinishedFrameBytes bytes that frames still arriving may hold, together, on all the
 *                          connections of one listener. A frame longer than 16 KiB
 *                          ({@link dev.parley.transport.spi.FrameBudget#ALLOWANCE}) reserves its
 *                          whole length when its length arrives and gives it back once whole; one
 *                          that finds too little room closes its connection with
 *                          {@code OVERLOADED}, while shorter frames always have room. So peers
 *                          that announce long frames and stall hold at most this much, not
 *                          {@code maxConnections × maxFrameLength}. At least
 *                          {@code maxFrameLength}. Connections a process opens itself are not
 *                          limited, nor is the in-memory transport, whose frames arrive whole.
 *                          Default 64 MiB.
 */
public record TransportOptions(int maxFrameLength, long maxQueuedBytes, int maxConnections,
                               Duration connectTimeout, Duration idleTimeout, Duration keepAliveInterval,
                               Duration closeTimeout, long maxUnfinishedFrameBytes) {

    /** Default {@link #maxFrameLength()}: 1 MiB. */
    public static final int DEFAULT_MAX_FRAME_LENGTH = 1 << 20;
    /** Default {@link #maxUnfinishedFrameBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_UNFINISHED_FRAME_BYTES = 64L << 20;
    /**
     * The longest any of the timeouts may be: 365 days. Transports count time in nanoseconds, and
     * a longer timeout (a long holds 292 years of them) would fail every connection, not just wait.
     */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(365);

    private static final TransportOptions DEFAULTS = new TransportOptions(
            DEFAULT_MAX_FRAME_LENGTH, 4L << 20, 10_000,
            Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(15), Duration.ofSeconds(5),
            DEFAULT_MAX_UNFINISHED_FRAME_BYTES);

    public TransportOptions {
        if (maxFrameLength < 1) {
            throw new IllegalArgumentException("maxFrameLength must be at least 1, was " + maxFrameLength);
        }
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("maxQueuedBytes must be at least 1, was " + maxQueuedBytes);
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requireNotNegative(idleTimeout, "idleTimeout");
        requireNotNegative(keepAliveInterval, "keepAliveInterval");
        requirePositive(closeTimeout, "closeTimeout");
        if (maxUnfinishedFrameBytes < maxFrameLength) {
            throw new IllegalArgumentException("maxUnfinishedFrameBytes (" + maxUnfinishedFrameBytes
                    + ") must be at least maxFrameLength (" + maxFrameLength + "), or no frame of the longest kind could arrive");
        }
        if (!idleTimeout.isZero() && !keepAliveInterval.isZero() && keepAliveInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("keepAliveInterval (" + keepAliveInterval
                    + ") must be shorter than idleTimeout (" + idleTimeout + ")");
        }
    }

    /** The defaults listed on each component. */
    public static TransportOptions defaults() {
        return DEFAULTS;
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    private static void requirePositive(Duration d, String name) {
        requireNotNegative(d, name);
        if (d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
    }

    private static void requireNotNegative(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
        if (d.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be at most " + MAX_TIMEOUT.toDays() + " days, was " + d);
        }
    }

    /** Builds {@link TransportOptions}; not thread-safe. */
    public static final class Builder {
        private int maxFrameLength;
        private long maxQueuedBytes;
        private int maxConnections;
        private Duration connectTimeout;
        private Duration idleTimeout;
        private Duration keepAliveInterval;
        private Duration closeTimeout;
        private long maxUnfinishedFrameBytes;

        private Builder(TransportOptions from) {
            maxFrameLength = from.maxFrameLength;
            maxQueuedBytes = from.maxQueuedBytes;
            maxConnections = from.maxConnections;
            connectTimeout = from.connectTimeout;
            idleTimeout = from.idleTimeout;
            keepAliveInterval = from.keepAliveInterval;
            closeTimeout = from.closeTimeout;
            maxUnfinishedFrameBytes = from.maxUnfinishedFrameBytes;
        }

        public Builder maxFrameLength(int bytes) {
            this.maxFrameLength = bytes;
            return this;
        }

        public Builder maxQueuedBytes(long bytes) {
            this.maxQueuedBytes = bytes;
            return this;
        }

        public Builder maxConnections(int count) {
            this.maxConnections = count;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = interval;
            return this;
        }

        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        public Builder maxUnfinishedFrameBytes(long bytes) {
            this.maxUnfinishedFrameBytes = bytes;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting that is out of range */
        public TransportOptions build() {
            return new TransportOptions(maxFrameLength, maxQueuedBytes, maxConnections,
                    connectTimeout, idleTimeout, keepAliveInterval, closeTimeout, maxUnfinishedFrameBytes);
        }
    }
}
