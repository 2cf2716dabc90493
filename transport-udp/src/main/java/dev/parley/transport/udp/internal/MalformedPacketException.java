package dev.parley.transport.udp.internal;

/**
 * A datagram that is not a valid packet of this protocol. Carries what was wrong as a {@link Kind},
 * so the receiver can count checksum failures apart from other garbage. Never escapes a receive
 * loop: the datagram is dropped and counted. Immutable; thrown and caught on the receiving thread.
 */
public final class MalformedPacketException extends Exception {

    /** What was wrong with the datagram. */
    public enum Kind {
        /** Shorter than a header and a checksum, or a field runs past the end. */
        TRUNCATED,
        /** The CRC32C trailer does not match the bytes. */
        CHECKSUM,
        /** A protocol version this side does not speak. */
        VERSION,
        /** Well-formed as bytes, but a type or a value is out of range. */
        INVALID
    }

    private final Kind kind;

    public MalformedPacketException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    /** What was wrong. */
    public Kind kind() {
        return kind;
    }
}
