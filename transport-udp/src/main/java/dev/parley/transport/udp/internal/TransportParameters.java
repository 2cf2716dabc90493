package dev.parley.transport.udp.internal;

import dev.parley.transport.TransportOptions;
import dev.parley.transport.udp.UdpOptions;

import java.time.Duration;

/**
 * What each end tells the other in the handshake (the client in its INITIAL, the server in its
 * ACCEPT), as QUIC's transport parameters do: settings of one side that the other must know to
 * serve it. Immutable; any thread.
 *
 * @param receiveWindow     reliable payload bytes this side accepts before its acknowledgements raise the limit
 * @param maxAckDelayMicros longest this side holds an acknowledgement; the peer's probe timeout allows for it
 * @param idleTimeoutMillis this side closes a connection on which nothing arrives for this long; 0 for never.
 *                          The peer sends its keepalives often enough for it (see {@link #keepAliveFor})
 */
public record TransportParameters(long receiveWindow, long maxAckDelayMicros, long idleTimeoutMillis) {

    /** The largest idle timeout the handshake carries (an unsigned 32-bit count of milliseconds, about 49 days). */
    static final long MAX_IDLE_TIMEOUT_MILLIS = 0xFFFF_FFFFL;
    /**
     * Keepalives a side sends within the peer's idle timeout at least, so that one lost keepalive
     * (and the probes that repeat it) still leaves another in time.
     */
    static final int KEEPALIVES_PER_PEER_IDLE_TIMEOUT = 3;
    /**
     * The shortest keepalive interval a peer's idle timeout brings this side to, so that a peer
     * announcing a tiny one cannot make it send a keepalive every few microseconds: a peer whose
     * idle timeout is under three times this is not kept open by keepalives alone. A side
     * configured with a shorter interval still keeps its own.
     */
    static final long MIN_PEER_DRIVEN_KEEPALIVE_NANOS = 100_000_000;

    /** This side's parameters, from its options. */
    static TransportParameters of(UdpOptions udp, TransportOptions options) {
        return new TransportParameters(udp.receiveWindowBytes(), udp.maxAckDelay().toNanos() / 1000,
                idleTimeoutMillis(options.idleTimeout()));
    }

    /** {@code idleTimeout} in whole milliseconds, rounded up (so a short one does not read as none), at most the largest the handshake carries. */
    private static long idleTimeoutMillis(Duration idleTimeout) {
        if (idleTimeout.compareTo(Duration.ofMillis(MAX_IDLE_TIMEOUT_MILLIS)) >= 0) {
            return MAX_IDLE_TIMEOUT_MILLIS;
        }
        return (idleTimeout.toNanos() + 999_999) / 1_000_000;
    }

    /**
     * The keepalive interval for a side configured with {@code keepAliveNanos} (0: sends none)
     * whose peer announced these parameters: the configured one, or a {@value
     * #KEEPALIVES_PER_PEER_IDLE_TIMEOUT}rd of the peer's idle timeout where that is shorter (but
     * not under {@link #MIN_PEER_DRIVEN_KEEPALIVE_NANOS}). What keeps a quiet connection open at
     * the peer is this side's keepalives, so a client that closes after a few seconds of silence is
     * kept open by a server configured to send keepalives every 15 s.
     */
    long keepAliveFor(long keepAliveNanos) {
        if (keepAliveNanos == 0 || idleTimeoutMillis == 0) {
            return keepAliveNanos;
        }
        long forPeer = Math.max(idleTimeoutMillis * 1_000_000 / KEEPALIVES_PER_PEER_IDLE_TIMEOUT,
                MIN_PEER_DRIVEN_KEEPALIVE_NANOS);
        return Math.min(keepAliveNanos, forPeer);
    }
}
