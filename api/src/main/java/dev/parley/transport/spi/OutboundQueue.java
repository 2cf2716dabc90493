package dev.parley.transport.spi;

import dev.parley.transport.ConnectionClosedException;

import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The bounded queue of frames waiting to be written on one connection, counted in bytes.
 *
 * <p>A frame is admitted when the queue is empty or when it fits under the byte limit, so a single
 * frame larger than the limit still goes through, alone. Many threads may {@link #put} and
 * {@link #offer}; one writer thread takes frames with {@link #drainTo}. After {@link #close()}
 * nothing new is admitted but what is queued can still be drained, which is what a graceful close
 * needs; {@link #clear()} discards it, which is what an abort needs.
 *
 * <p>Uses a {@link ReentrantLock} rather than {@code synchronized} so waiting virtual threads do
 * not pin their carriers. {@link #isEmpty} and {@link #isEmptyAndOpen}, which a sender asks before
 * it writes past the queue, read volatile fields instead of taking the lock: in a profile of the
 * 16-client pipelined benchmark over TCP, taking it only to look was 16 % of the samples, the
 * lock's cache line passing between each sender and its connection's writer.
 */
public final class OutboundQueue {

    private final long maxBytes;
    private final Supplier<ConnectionClosedException> closedCause;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private long bytes;
    /** Whether {@link #frames} is empty; written under the lock when that changes, read without it. */
    private volatile boolean empty = true;
    /** Written under the lock, read without it. */
    private volatile boolean closed;

    /**
     * @param maxBytes    the byte limit
     * @param closedCause what a put or offer on a closed queue throws: a new exception each time,
     *                    caused by the connection's close cause
     */
    public OutboundQueue(long maxBytes, Supplier<ConnectionClosedException> closedCause) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.closedCause = closedCause;
    }

    /** Queues {@code frame}, waiting while the queue is full. */
    public void put(byte[] frame) throws ConnectionClosedException, InterruptedIOException {
        lock.lock();
        try {
            while (!closed && !fits(frame)) {
                notFull.await();
            }
            append(frame, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for room in the outbound queue");
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code frame} if it fits now; returns false if not. */
    public boolean offer(byte[] frame) throws ConnectionClosedException {
        return offer(frame, true);
    }

    /**
     * Queues {@code frame} if it fits now, as {@link #offer} does, but leaves the writer asleep: for
     * a sender that will write what is queued itself, or {@linkplain #wakeWriter() wake the writer},
     * soon.
     */
    public boolean offerQuietly(byte[] frame) throws ConnectionClosedException {
        return offer(frame, false);
    }

    private boolean offer(byte[] frame, boolean wake) throws ConnectionClosedException {
        lock.lock();
        try {
            if (!closed && !fits(frame)) {
                return false;
            }
            append(frame, wake);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves queued frames into {@code out}, up to about {@code maxBatchBytes} (at least one frame),
     * waiting up to {@code timeout} for one to arrive.
     *
     * @return the bytes moved; 0 if the wait timed out; -1 if the queue is closed and empty
     */
    public long drainTo(List<byte[]> out, long maxBatchBytes, long timeout, TimeUnit unit)
            throws InterruptedException {
        lock.lock();
        try {
            long nanos = unit.toNanos(timeout);
            while (frames.isEmpty()) {
                if (closed) {
                    return -1;
                }
                if (nanos <= 0) {
                    return 0;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            long moved = 0;
            do {
                byte[] frame = frames.poll();
                out.add(frame);
                moved += frame.length;
            } while (!frames.isEmpty() && moved + frames.peek().length <= maxBatchBytes);
            bytes -= moved;
            if (frames.isEmpty()) {
                empty = true;
            }
            notFull.signalAll();
            return moved;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code nanos} until a frame is queued or the queue is closed, taking nothing:
     * for a writer that must first take the output's lock, then {@link #drainTo} without waiting.
     *
     * @return true if a frame waits or the queue is closed; false if the wait timed out
     */
    public boolean awaitFramesOrClose(long nanos) throws InterruptedException {
        lock.lock();
        try {
            while (frames.isEmpty() && !closed) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the writer if frames wait: after {@link #offerQuietly}. */
    public void wakeWriter() {
        lock.lock();
        try {
            if (!frames.isEmpty()) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Admits nothing more; frames already queued stay to be drained. Wakes every waiter. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the queue and discards what it holds. */
    public void clear() {
        lock.lock();
        try {
            closed = true;
            frames.clear();
            bytes = 0;
            empty = true;
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes waiting right now. */
    public long queuedBytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** True when nothing waits. */
    public boolean isEmpty() {
        return empty;
    }

    /**
     * True when nothing waits and frames are still admitted: then a frame written past the queue,
     * while its writer holds the output, keeps its place in the order.
     */
    public boolean isEmptyAndOpen() {
        return empty && !closed;
    }

    private boolean fits(byte[] frame) {
        return frames.isEmpty() || bytes + frame.length <= maxBytes;
    }

    private void append(byte[] frame, boolean wake) throws ConnectionClosedException {
        if (closed) {
            throw closedCause.get();
        }
        frames.add(frame);
        bytes += frame.length;
        if (empty) {
            empty = false;
        }
        if (wake) {
            notEmpty.signal();
        }
    }
}
