package dev.parley.examples.counter;

import java.util.concurrent.atomic.AtomicInteger;

/** The first fix: read, add and write as one indivisible step of the processor. Thread-safe, never blocks. */
public final class AtomicCounter implements Counter {

    private final AtomicInteger count = new AtomicInteger();

    @Override
    public int increment() {
        return count.incrementAndGet();
    }
}
