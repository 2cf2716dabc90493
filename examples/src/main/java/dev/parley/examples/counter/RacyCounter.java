package dev.parley.examples.counter;

/**
 * The lesson's race, on purpose: {@code count = count + 1} is three steps (read, add, write), and
 * nothing stops two threads from both reading the same value before either writes. Both then
 * write the same number, and one increment is lost; two clients are told the same number.
 *
 * <pre>
 *   thread A: read 0                      write 1
 *   thread B:          read 0                      write 1     count is 1, not 2
 * </pre>
 *
 * <p>Not thread-safe, which is the point. Never use it outside a lesson.
 */
public final class RacyCounter implements Counter {

    private final Runnable betweenReadAndWrite;
    private int count;

    /** A counter that yields between its read and its write, to widen the window for the race. */
    public RacyCounter() {
        this(Thread::yield);
    }

    /** A counter that runs {@code betweenReadAndWrite} in the window where another thread can interleave. */
    public RacyCounter(Runnable betweenReadAndWrite) {
        this.betweenReadAndWrite = betweenReadAndWrite;
    }

    @Override
    public int increment() {
        int read = count;
        betweenReadAndWrite.run();
        count = read + 1;
        return read + 1;
    }
}
