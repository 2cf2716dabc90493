package dev.parley.transport.udp.internal;

/** Why a RESET was sent, as carried on the wire in one byte. Any thread. */
public enum ResetCode {
    /** The application aborted the connection. */
    ABORTED,
    /** The peer broke the protocol. */
    PROTOCOL_ERROR,
    /** This side gave up on the peer (idle, unresponsive, close timeout). */
    TIMED_OUT,
    /** The listener is shutting down or full. */
    SHUTDOWN,
    /** The listener had no memory left for the frame the peer began. */
    OVERLOADED;

    /** The code for {@code wire}, or ABORTED for a value this side does not know. */
    public static ResetCode of(int wire) {
        ResetCode[] all = values();
        return wire >= 0 && wire < all.length ? all[wire] : ABORTED;
    }
}
