package dev.parley.transport.udp.internal;

/**
 * Where a session's packets go: a socket in production, a simulated network in tests. Called by
 * whichever thread is driving the session, under the session's lock; must not block for long and
 * must copy the bytes if it keeps them (the buffer is reused).
 */
@FunctionalInterface
public interface DatagramSink {

    /** Sends {@code buf[0, length)} as one datagram to the session's peer. */
    void send(byte[] buf, int length);
}
