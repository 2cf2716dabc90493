package dev.parley.transport.udp.internal;

/**
 * Why a RESET was sent, as carried on the wire in one byte. Each code has a fixed {@link #wire()}
 * value, independent of the order of the constants: peers built from other versions read these
 * bytes. Never change a value; a new code takes a new one. Any thread.
 */
public enum ResetCode {
    /** The application aborted the connection. */
    ABORTED(0),
    /** The peer broke the protocol. */
    PROTOCOL_ERROR(1),
    /** This side gave up on the peer (idle, unresponsive, close timeout). */
    TIMED_OUT(2),
    /** The listener is shutting down or full. */
    SHUTDOWN(3),
    /** The listener had no memory left for the frame the peer began. */
    OVERLOADED(4);

    private final int wire;

    ResetCode(int wire) {
        this.wire = wire;
    }

    /** The byte that stands for this code on the wire. */
    public int wire() {
        return wire;
    }

    /** The code for {@code wire}, or ABORTED for a value this side does not know. */
    public static ResetCode of(int wire) {
        for (ResetCode code : values()) {
            if (code.wire == wire) {
                return code;
            }
        }
        return ABORTED;
    }
}
