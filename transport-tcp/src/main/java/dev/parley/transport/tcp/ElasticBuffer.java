package dev.parley.transport.tcp;

import java.nio.ByteBuffer;

/**
 * A heap buffer that stays small while its connection is idle and grows, up to a cap, while data
 * flows: what lets many idle connections cost little heap while a busy one still reads and
 * coalesces in large blocks. The owner says how many bytes it wanted and when ({@link #ensure});
 * once nothing over the minimum was wanted for a while ({@link #unneededFor}) it may {@link
 * #shrink} the buffer, so a flow that pauses briefly keeps its buffer rather than reallocating it
 * each time. Growing or shrinking replaces the buffer with an empty one, so the owner resizes only
 * between uses. Used by one thread at a time; {@link #capacity} may be read by any.
 */
final class ElasticBuffer {

    private final int minBytes;
    private final int maxBytes;
    private volatile ByteBuffer buffer;
    private long lastNeededNanos;

    /** A buffer of {@code minBytes} that may grow to {@code maxBytes}. */
    ElasticBuffer(int minBytes, int maxBytes) {
        if (minBytes < 1 || maxBytes < minBytes) {
            throw new IllegalArgumentException("need 1 <= minBytes <= maxBytes, got " + minBytes + " and " + maxBytes);
        }
        this.minBytes = minBytes;
        this.maxBytes = maxBytes;
        this.buffer = ByteBuffer.allocate(minBytes);
    }

    /** The current buffer; the same object until the next {@link #ensure} that grows it or {@link #shrink}. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** The current buffer's capacity; any thread. */
    int capacity() {
        return buffer.capacity();
    }

    /**
     * Records that {@code bytes} were wanted at {@code nowNanos} ({@link System#nanoTime}) and makes
     * the buffer hold at least that many (at most the cap), replacing it with an empty, larger one
     * if it is smaller: at least twice as large, so that a growing flow resizes rarely.
     *
     * @return the buffer, empty if it was replaced
     */
    ByteBuffer ensure(long bytes, long nowNanos) {
        if (bytes > minBytes) {
            lastNeededNanos = nowNanos;
        }
        int wanted = (int) Math.min(bytes, maxBytes);
        if (wanted > buffer.capacity()) {
            buffer = ByteBuffer.allocate((int) Math.min(maxBytes, Math.max(wanted, 2L * buffer.capacity())));
        }
        return buffer;
    }

    /** True if the buffer has grown and no {@link #ensure} wanted more than the minimum for {@code quietNanos}. */
    boolean unneededFor(long quietNanos, long nowNanos) {
        return buffer.capacity() > minBytes && nowNanos - lastNeededNanos >= quietNanos;
    }

    /** Drops a grown buffer for an empty one of the minimum size. */
    void shrink() {
        if (buffer.capacity() > minBytes) {
            buffer = ByteBuffer.allocate(minBytes);
        }
    }
}
