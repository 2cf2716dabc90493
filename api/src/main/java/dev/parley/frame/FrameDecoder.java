package dev.parley.frame;

import dev.parley.transport.FrameBudgetExceededException;
import dev.parley.transport.FrameTooLongException;
import dev.parley.transport.spi.FrameBudget;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Cuts a byte stream into length-prefixed frames.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               length (unsigned 32 bits, big-endian)           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    payload (length bytes) ...                 |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * A length of 0 is a keepalive: it carries nothing and is not a frame. A length above the maximum
 * is refused with {@link FrameTooLongException} as soon as its four bytes are read, before any
 * memory is set aside; memory for a long frame grows as its bytes arrive rather than up front,
 * so a peer that announces a large frame and stalls holds little. A frame longer than
 * {@link FrameBudget#ALLOWANCE} also reserves its length from a {@link FrameBudget} shared with
 * other streams, and is refused with {@link FrameBudgetExceededException} when there is no room;
 * call {@link #discard()} when the stream ends, so a frame left unfinished gives its room back.
 *
 * <p>"Not enough bytes yet" is a normal outcome ({@link #decode} returns null), not an error. Not
 * thread-safe: one decoder per stream, used by that stream's reader.
 */
public final class FrameDecoder {

    /** Bytes in the length prefix. */
    public static final int HEADER_BYTES = 4;

    /** What {@link #decode} returns for a keepalive. Compare by identity. */
    public static final byte[] KEEPALIVE = new byte[0];

    /** A frame up to this long is given its whole array at once; a longer one grows as it arrives. */
    private static final int INITIAL_CAPACITY = FrameBudget.ALLOWANCE;

    private final int maxFrameLength;
    private final FrameBudget budget;
    private final byte[] header = new byte[HEADER_BYTES];
    private int headerRead;
    private byte[] payload;
    private int length = -1;
    private int payloadRead;

    /** A decoder whose frames take nothing from a shared budget. */
    public FrameDecoder(int maxFrameLength) {
        this(maxFrameLength, FrameBudget.unlimited());
    }

    /**
     * @param maxFrameLength the largest payload accepted, in bytes
     * @param budget         where frames longer than {@link FrameBudget#ALLOWANCE} reserve their length
     */
    public FrameDecoder(int maxFrameLength, FrameBudget budget) {
        if (maxFrameLength < 1) {
            throw new IllegalArgumentException("maxFrameLength must be at least 1, was " + maxFrameLength);
        }
        this.maxFrameLength = maxFrameLength;
        this.budget = budget;
    }

    /**
     * Consumes bytes from {@code in} until one frame is complete or {@code in} is empty.
     *
     * @return the frame's payload, {@link #KEEPALIVE}, or null if more bytes are needed
     * @throws FrameTooLongException        if the announced length exceeds the maximum; the
     *                                      stream is then unusable
     * @throws FrameBudgetExceededException if the budget has no room for the announced length;
     *                                      the stream is then unusable
     */
    public byte[] decode(ByteBuffer in) {
        if (length < 0) {
            long announced;
            if (headerRead == 0 && in.remaining() >= HEADER_BYTES && in.order() == ByteOrder.BIG_ENDIAN) {
                // The usual case: the whole prefix is in this read, read it in place.
                announced = in.getInt() & 0xFFFF_FFFFL;
            } else {
                int n = Math.min(HEADER_BYTES - headerRead, in.remaining());
                in.get(header, headerRead, n);
                headerRead += n;
                if (headerRead < HEADER_BYTES) {
                    return null;
                }
                announced = ByteBuffer.wrap(header).getInt() & 0xFFFF_FFFFL;
                headerRead = 0;
            }
            if (announced == 0) {
                return KEEPALIVE;
            }
            if (announced > maxFrameLength) {
                throw new FrameTooLongException(announced, maxFrameLength);
            }
            if (!budget.tryReserve((int) announced)) {
                throw new FrameBudgetExceededException((int) announced, budget.toString());
            }
            length = (int) announced;
            payload = new byte[Math.min(length, INITIAL_CAPACITY)];
            payloadRead = 0;
        }
        int n = Math.min(length - payloadRead, in.remaining());
        if (payloadRead + n > payload.length) {
            payload = Arrays.copyOf(payload, (int) Math.min(length, Math.max(2L * payload.length, payloadRead + n)));
        }
        in.get(payload, payloadRead, n);
        payloadRead += n;
        if (payloadRead < length) {
            return null;
        }
        byte[] frame = payload;
        budget.release(length);
        payload = null;
        length = -1;
        return frame;
    }

    /**
     * Takes the length prefix of the next frame if that frame lies whole in {@code in}: then
     * {@code in} is left at its payload, which the caller may use where it lies, and must skip,
     * instead of having {@link #decode} copy it into an array of its own.
     *
     * @return the frame's length; or -1, consuming nothing, when the frame is not whole in
     *         {@code in}, another is mid-way, or the prefix is a keepalive or a length that
     *         {@link #decode} refuses (which {@link #decode} then reads)
     */
    public int takeWholeFrame(ByteBuffer in) {
        if (isMidFrame() || in.remaining() < HEADER_BYTES || in.order() != ByteOrder.BIG_ENDIAN) {
            return -1;
        }
        long announced = in.getInt(in.position()) & 0xFFFF_FFFFL;
        if (announced == 0 || announced > maxFrameLength || announced > in.remaining() - HEADER_BYTES) {
            return -1;
        }
        in.position(in.position() + HEADER_BYTES);
        return (int) announced;
    }

    /**
     * Gives back the room a frame left unfinished holds in the budget; for when the stream ends.
     * The decoder must not be used afterwards.
     */
    public void discard() {
        if (length >= 0) {
            budget.release(length);
            payload = null;
            length = -1;
        }
    }

    /** True while a frame or a length prefix has begun but not ended: the stream ended mid-frame. */
    public boolean isMidFrame() {
        return headerRead > 0 || length >= 0;
    }

    /** Writes the length prefix for a payload of {@code length} bytes (0 for a keepalive). */
    public static void writeHeader(ByteBuffer out, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("frame length must not be negative, was " + length);
        }
        out.putInt(length);
    }
}
