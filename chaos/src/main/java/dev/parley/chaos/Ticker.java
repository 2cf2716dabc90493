package dev.parley.chaos;

/**
 * The time source the proxy waits on: every delay a toxic adds (latency, bandwidth, slicer pauses,
 * timers of timeout and reset_peer, UDP holds) is a wait until a {@link #nanoTime()} deadline.
 * Tests of the fault logic inject a ticker whose waits return at once and advance its time, so they
 * run in microseconds and deterministically.
 *
 * <p>Implementations are called by many proxy threads at once and must be thread-safe.
 */
public interface Ticker {

    /** The system's monotonic clock, waiting by parking the thread. */
    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleepUntil(long deadline) throws InterruptedException {
            for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
    };

    /** Monotonic time in nanoseconds, as {@link System#nanoTime()}. */
    long nanoTime();

    /** Waits until {@link #nanoTime()} reaches {@code deadline}; returns at once if it has. */
    void sleepUntil(long deadline) throws InterruptedException;
}
