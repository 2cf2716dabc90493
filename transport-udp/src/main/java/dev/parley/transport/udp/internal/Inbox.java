package dev.parley.transport.udp.internal;

import java.util.ArrayDeque;
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
    private final ArrayDeque<Object> events = new ArrayDeque<>();

    /** Appends {@code batch} in order. */
    void addAll(List<Object> batch) {
        lock.lock();
        try {
            boolean wasEmpty = events.isEmpty();
            events.addAll(batch);
            if (wasEmpty) {
                notEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits until something is waiting, then moves all of it, in order, to {@code out}. */
    void takeAll(List<Object> out) throws InterruptedException {
        lock.lock();
        try {
            while (events.isEmpty()) {
                notEmpty.await();
            }
            out.addAll(events);
            events.clear();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }
}
