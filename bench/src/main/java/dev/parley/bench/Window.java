package dev.parley.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Keeps at most {@link Payloads#WINDOW} asynchronous calls in flight: how the benchmark pipelines
 * libraries whose natural unit is an async call (Parley remote calls, gRPC). Used by one thread.
 */
final class Window {

    private Window() {
    }

    /** Issues {@code calls} calls from {@code call}, at most a window at once, and waits for them all;
     * throws if any failed. */
    static void run(int calls, Supplier<CompletableFuture<?>> call) throws Exception {
        var slots = new Semaphore(Payloads.WINDOW);
        var firstFailure = new AtomicReference<Throwable>();
        for (int i = 0; i < calls; i++) {
            if (!slots.tryAcquire(30, TimeUnit.SECONDS)) {
                throw new TimeoutException("no call completed for 30 s");
            }
            call.get().whenComplete((value, failure) -> {
                if (failure != null) {
                    firstFailure.compareAndSet(null, failure);
                }
                slots.release();
            });
        }
        if (!slots.tryAcquire(Payloads.WINDOW, 30, TimeUnit.SECONDS)) {
            throw new TimeoutException("calls still outstanding after 30 s");
        }
        if (firstFailure.get() != null) {
            throw new IllegalStateException("a pipelined call failed", firstFailure.get());
        }
    }
}
