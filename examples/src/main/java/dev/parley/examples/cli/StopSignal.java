package dev.parley.examples.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The request to stop a running example server, and the server's answer that it has. The
 * process's shutdown hook (Ctrl-C, SIGTERM) requests it through {@link #onShutdown()}; a test
 * calls {@link #request()} itself. Thread-safe: one thread waits, any thread requests.
 */
public final class StopSignal {

    /** How long the shutdown hook lets a server take to say goodbye before the JVM exits anyway. */
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);

    /** A signal requested by the JVM's shutdown hook, which then waits for the server to finish. */
    public static StopSignal onShutdown() {
        var signal = new StopSignal();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            signal.request();
            try {
                signal.done.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "parley-example-stop"));
        return signal;
    }

    /** Asks the server to stop. Idempotent. */
    public void request() {
        requested.countDown();
    }

    void await() throws InterruptedException {
        requested.await();
    }

    void done() {
        done.countDown();
    }
}
