package dev.parley.transport.udp.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a connection's delivery thread has to do, handed over in batches: whatever one packet or
 * timer produced goes in with one lock and at most one wake-up, and the delivery thread takes
 * everything waiting at once. Thread-safe: any thread puts, one thread takes.
 */
final class Inbox {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayList<InboxEvent> events = new ArrayList<>();
    /** Frames waiting, reliable and unreliable; an event may hold several. */
    private int frames;
    /** The stream offset after the last reliable frame waiting, or -1 if none is. */
    private long endOffset = -1;

    /**
     * Appends {@code batch}, which holds {@code batchFrames} frames, in order; {@code batchEndOffset}
     * is the stream offset after its last reliable frame, or -1 if it holds none.
     */
    void addAll(List<InboxEvent> batch, int batchFrames, long batchEndOffset) {
        lock.lock();
        try {
            boolean wasEmpty = events.isEmpty();
            events.addAll(batch);
            frames += batchFrames;
            if (batchEndOffset >= 0) {
                endOffset = batchEndOffset;
            }
            if (wasEmpty) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until something is waiting, then moves all of it, in order, to {@code out}.
     *
     * @return the stream offset after the last reliable frame moved, or -1 if none was
     */
    long takeAll(List<InboxEvent> out) throws InterruptedException {
        lock.lock();
        try {
            while (events.isEmpty()) {
                notEmpty.await();
            }
            out.addAll(events);
            events.clear();
            frames = 0;
            long taken = endOffset;
            endOffset = -1;
            return taken;
        } finally {
            lock.unlock();
        }
    }

    /** Frames waiting. */
    int frames() {
        lock.lock();
        try {
            return frames;
        } finally {
            lock.unlock();
        }
    }
}
