package dev.parley.transport.udp.internal;

/**
 * Variable-length unsigned integers as in QUIC (RFC 9000 §16): the two top bits of the first byte
 * give the length (1, 2, 4 or 8 bytes), the rest is the value, big-endian, up to 2^62 - 1.
 * Stateless; any thread.
 */
public final class VarInt {

    /** The largest value that can be encoded. */
    public static final long MAX = (1L << 62) - 1;

    private VarInt() {
    }

    /** Bytes needed to encode {@code value}. */
    public static int size(long value) {
        if (value < 0 || value > MAX) {
            throw new IllegalArgumentException("varint out of range: " + value);
        }
        if (value < (1 << 6)) {
            return 1;
        }
        if (value < (1 << 14)) {
            return 2;
        }
        if (value < (1L << 30)) {
            return 4;
        }
        return 8;
    }

    /** Writes {@code value} at {@code pos}; returns the position after it. */
    public static int write(byte[] buf, int pos, long value) {
        int size = size(value);
        int prefix = switch (size) {
            case 1 -> 0;
            case 2 -> 1;
            case 4 -> 2;
            default -> 3;
        };
        for (int i = size - 1; i >= 0; i--) {
            buf[pos + i] = (byte) value;
            value >>>= 8;
        }
        buf[pos] |= (byte) (prefix << 6);
        return pos + size;
    }
}
