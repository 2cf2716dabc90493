package dev.parley.gui;

import java.awt.AWTEvent;
import java.awt.EventQueue;
import java.awt.Toolkit;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Measures how long the event-dispatch thread spends on each event, by standing in for the system
 * event queue: the longest dispatch is the longest time the window could not answer the user. It
 * measures wall-clock time and the thread's CPU time: on a loaded machine the first includes
 * waiting for a core, the second is the window's own work.
 * {@link #install} and {@link #close} from any thread; the counters are updated on the
 * event-dispatch thread and read from any.
 */
final class SlowEdtDetector extends EventQueue implements AutoCloseable {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    private final AtomicLong longestNanos = new AtomicLong();
    private final AtomicLong longestCpuNanos = new AtomicLong();
    private final LongAdder events = new LongAdder();
    private final long slowNanos;
    private final LongAdder slow = new LongAdder();
    private volatile String longest = "none";

    private SlowEdtDetector(long slowNanos) {
        this.slowNanos = slowNanos;
    }

    /** Starts measuring every event dispatched from now on; an event longer than {@code slowMillis} counts as slow. */
    static SlowEdtDetector install(long slowMillis) {
        var detector = new SlowEdtDetector(slowMillis * 1_000_000);
        Toolkit.getDefaultToolkit().getSystemEventQueue().push(detector);
        return detector;
    }

    @Override
    protected void dispatchEvent(AWTEvent event) {
        long start = System.nanoTime();
        long cpuStart = CPU.getCurrentThreadCpuTime();
        try {
            super.dispatchEvent(event);
        } finally {
            long took = System.nanoTime() - start;
            longestCpuNanos.accumulateAndGet(CPU.getCurrentThreadCpuTime() - cpuStart, Math::max);
            events.increment();
            if (took > longestNanos.get()) {
                longestNanos.set(took);
                longest = event.toString();
            }
            if (took > slowNanos) {
                slow.increment();
            }
        }
    }

    /** The longest one event took, in wall-clock time: on a loaded machine this includes waiting for a core. */
    long longestMillis() {
        return longestNanos.get() / 1_000_000;
    }

    /** The most CPU time the event-dispatch thread spent on one event: the work the window itself did. */
    long longestCpuMillis() {
        return longestCpuNanos.get() / 1_000_000;
    }

    /** The longest event, as AWT describes it. */
    String longestEvent() {
        return longest;
    }

    long events() {
        return events.sum();
    }

    long slowEvents() {
        return slow.sum();
    }

    /** Stops measuring: events go back to the queue that was there before. */
    @Override
    public void close() {
        pop();
    }
}
