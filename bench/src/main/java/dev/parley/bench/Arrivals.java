package dev.parley.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts replies delivered on a library's own thread and lets one benchmark thread wait for a count
 * cheaply (park and unpark, no lock). Each wait gives up after {@link #TIMEOUT_NANOS} so a lost
 * reply fails the run instead of hanging it.
 */
final class Arrivals {

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final AtomicLong count = new AtomicLong();
    private volatile Thread waiter;
    private volatile long wanted = Long.MAX_VALUE;

    /** Called on the delivering thread for each reply. */
    void arrived() {
        if (count.incrementAndGet() >= wanted) {
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** How many replies have arrived so far. */
    long count() {
        return count.get();
    }

    /** Waits on the calling thread until at least {@code target} replies have arrived. */
    void awaitAtLeast(long target) throws TimeoutException {
        if (count.get() >= target) {
            return;
        }
        waiter = Thread.currentThread();
        wanted = target;
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        try {
            while (count.get() < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(count.get() + " of " + target + " replies after 30 s");
                }
                LockSupport.parkNanos(this, left);
            }
        } finally {
            wanted = Long.MAX_VALUE;
            waiter = null;
        }
    }
}
