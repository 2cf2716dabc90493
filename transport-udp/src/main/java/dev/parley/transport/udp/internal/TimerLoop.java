package dev.parley.transport.udp.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.PriorityQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One thread that fires the timers of many sessions at their deadlines (retransmission, delayed
 * acknowledgement, pacing, keepalive, idle). A target is armed with {@link #schedule}; arming it
 * later than it already is does nothing (it fires early, finds nothing due, and re-arms itself),
 * so a busy connection does not churn the queue. The thread starts on demand and ends by itself
 * when no timer is armed or the loop is closed.
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
        private long armed = Long.MAX_VALUE;

        private Handle(Target target) {
            this.target = target;
        }
    }

    private record Entry(long deadline, Handle handle) {
    }

    private final Thread.Builder threads;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
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
            if (closed || handle.armed <= deadline) {
                return;
            }
            handle.armed = deadline;
            var entry = new Entry(deadline, handle);
            queue.add(entry);
            if (thread == null) {
                thread = threads.start(this::run);
            } else if (queue.peek() == entry) {
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
                Entry head = queue.peek();
                if (closed || head == null) {
                    thread = null;
                    return null;
                }
                long wait = head.deadline - System.nanoTime();
                if (wait <= 0) {
                    queue.poll();
                    if (head.handle.armed == head.deadline) {
                        head.handle.armed = Long.MAX_VALUE;
                        return head.handle;
                    }
                    continue;
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
