package dev.parley.chaos.im;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition that no event announces, checking it often, for a bounded time. Stateless. */
final class Eventually {

    private static final long CHECK_EVERY_NANOS = Duration.ofMillis(5).toNanos();

    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails saying {@code what} if it does not within {@code timeout}. */
    static void await(BooleanSupplier condition, Duration timeout, String what) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            LockSupport.parkNanos(CHECK_EVERY_NANOS);
        }
    }
}
