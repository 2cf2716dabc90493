package dev.parley.examples.counter;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The second fix, the lesson's lock: a thread that finds the counter locked waits until the one
 * holding it has written. Thread-safe. ({@code ReentrantLock} rather than {@code synchronized}
 * because a virtual thread waiting on a monitor pins its carrier on JDK 21.)
 */
public final class LockedCounter implements Counter {

    private final ReentrantLock lock = new ReentrantLock();
    private int count;

    @Override
    public int increment() {
        lock.lock();
        try {
            count = count + 1;
            return count;
        } finally {
            lock.unlock();
        }
    }
}
