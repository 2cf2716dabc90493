package dev.parley.server;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Waits for a condition that no event announces (a node's lease running out, a user held for
 * resuming), checking it every 10 ms for a bounded time. Stateless; the calling thread.
 */
public final class Eventually {

    private static final long CHECK_EVERY_MILLIS = 10;

    /** A condition, which may throw. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails the test, saying {@code what}, if it does not within {@code patience}. */
    public static void await(Duration patience, String what, Condition condition) throws Exception {
        long deadline = System.nanoTime() + patience.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() - deadline > 0) {
                fail("waited %s for %s", patience, what);
            }
            TimeUnit.MILLISECONDS.sleep(CHECK_EVERY_MILLIS);
        }
    }
}
