package dev.parley.transport.udp.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Comparator;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread that fires the timers of many sessions at their deadlines (retransmission, delayed
 * acknowledgement, pacing, keepalive, idle). A target is armed with {@link #schedule}; arming it
 * later than it already is does nothing (it fires early, finds nothing due, and re-arms itself),
 * so a busy connection does not churn the queue; arming it earlier moves its one entry, so the
 * queue holds at most one entry per target however often targets are re-armed (a connection
 * woken for every burst it sends re-arms its timer each time). The thread starts on demand and
 * ends by itself when no timer is armed or the loop is closed.
 *
 * <p>A target whose {@link Target#fire} throws is not dropped silently: it is told with
 * {@link Target#failed}, whose answer arms it again.
 *
 * <p>Thread-safe. {@link Target#fire} runs on the loop's thread and must not block for long.
 */
public final class TimerLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TimerLoop.class);

    /** Something with a deadline. */
    public interface Target {
        /** The deadline passed; returns the next one, or {@link Long#MAX_VALUE} for none. */
        long fire(long now);

        /**
         * {@link #fire} threw {@code failure}: the target must not be left as it is (a target that
         * is never fired again stops retransmitting and never times out), so it decides what
         * happens next, typically ending itself. Returns the next deadline, or
         * {@link Long#MAX_VALUE} for none.
         */
        long failed(long now, Throwable failure);
    }

    /** A target's place in this loop. */
    public static final class Handle {
        private final Target target;
        /** Its entry in the queue, or null while it is not armed (or being fired). */
        private Entry queued;

        private Handle(Target target) {
            this.target = target;
        }
    }

    /** {@code order} tells apart entries of one deadline. */
    private record Entry(long deadline, long order, Handle handle) {
    }

    private final Thread.Builder threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeSet<Entry> queue = new TreeSet<>(Comparator.comparingLong(Entry::deadline)
            .thenComparingLong(Entry::order));
    private long entriesMade;
    private Thread thread;
    private boolean closed;

    /** A loop whose thread {@code threads} makes (a platform thread for a listener, virtual for a client). */
    public TimerLoop(Thread.Builder threads) {
        this.threads = threads;
    }

    public Handle register(Target target) {
        return new Handle(target);
    }

    /** Arms {@code handle} for {@code deadline} (nanoTime), unless it is armed earlier already. */
    public void schedule(Handle handle, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        lock.lock();
        try {
            if (closed || (handle.queued != null && handle.queued.deadline <= deadline)) {
                return;
            }
            if (handle.queued != null) {
                queue.remove(handle.queued);
            }
            var entry = new Entry(deadline, entriesMade++, handle);
            handle.queued = entry;
            queue.add(entry);
            if (thread == null) {
                thread = threads.start(this::run);
            } else if (queue.first() == entry) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            Handle due = next();
            if (due == null) {
                return;
            }
            long next;
            try {
                next = due.target.fire(System.nanoTime());
            } catch (RuntimeException | Error e) {
                next = failed(due.target, e);
            }
            schedule(due, next);
        }
    }

    /** Tells {@code target} that it threw; a target that throws even then is dropped, and the loop goes on. */
    private static long failed(Target target, Throwable failure) {
        log.warn("a timer threw; its target is told and decides what comes next", failure);
        try {
            return target.failed(System.nanoTime(), failure);
        } catch (RuntimeException | Error e) {
            e.addSuppressed(failure);
            log.error("a timer threw, and threw again when told so; it is dropped", e);
            return Long.MAX_VALUE;
        }
    }

    /** Waits for the earliest due handle; null when the thread should end. */
    private Handle next() {
        lock.lock();
        try {
            while (true) {
                if (closed || queue.isEmpty()) {
                    thread = null;
                    return null;
                }
                Entry head = queue.first();
                long wait = head.deadline - System.nanoTime();
                if (wait <= 0) {
                    queue.pollFirst();
                    head.handle.queued = null;
                    return head.handle;
                }
                changed.awaitNanos(wait);
            }
        } catch (InterruptedException e) {
            thread = null;
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** Targets armed now: each has one entry, however often it was armed. */
    int armedTargets() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Stops firing; the thread ends. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            queue.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
