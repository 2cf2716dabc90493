package dev.parley.server.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The group-commit loop that {@link SqliteStore} and {@link RedisStore} share: one writer thread
 * takes what has gathered in a queue (at most a batch's worth) and hands it to the store in one
 * call, so writes arriving together share one transaction or one round trip.
 *
 * <p>Any thread may {@link #offer}; the batch runner runs on the writer thread alone, batch after
 * batch in queue order. {@link #close()} lets what was queued run, then calls the store's
 * {@code onStop} on the writer thread and returns once it has ended.
 */
final class BatchWriter<W> {

    private final int maxBatchSize;
    private final Consumer<List<W>> runner;
    private final Runnable onStop;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ReentrantLock submitLock = new ReentrantLock();
    /** Held by the writer while it runs a batch; package-private so that a test can make writes gather. */
    final ReentrantLock batchLock = new ReentrantLock();
    private final Thread thread;
    private boolean closed; // guarded by submitLock

    /** Asks the writer to finish; never handed to the runner. */
    private static final Object STOP = new Object();

    BatchWriter(String threadName, int maxBatchSize, Consumer<List<W>> runner, Runnable onStop) {
        this.maxBatchSize = maxBatchSize;
        this.runner = runner;
        this.onStop = onStop;
        this.thread = Thread.ofPlatform().daemon().name(threadName).start(this::loop);
    }

    /** Queues {@code write}; false if closed, when it will not run. */
    boolean offer(W write) {
        submitLock.lock();
        try {
            if (closed) {
                return false;
            }
            queue.add(write);
            return true;
        } finally {
            submitLock.unlock();
        }
    }

    /** Runs what was queued, then stops the writer and waits for it. Idempotent. */
    void close() {
        submitLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.add(STOP);
        } finally {
            submitLock.unlock();
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The result of a write a caller waits for, its {@link StoreException} rethrown as such. */
    static <T> T await(CompletableFuture<T> result) throws StoreException {
        try {
            return result.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof StoreException cause) {
                throw new StoreException(cause.getMessage(), cause);
            }
            throw e;
        }
    }

    @SuppressWarnings("unchecked")
    private void loop() {
        List<Object> taken = new ArrayList<>();
        boolean stopping = false;
        try {
            while (!stopping) {
                try {
                    taken.add(queue.take());
                } catch (InterruptedException e) {
                    return;
                }
                batchLock.lock();
                try {
                    queue.drainTo(taken, maxBatchSize - 1);
                    stopping = taken.remove(STOP);
                    if (!taken.isEmpty()) {
                        runner.accept((List<W>) (List<?>) taken);
                    }
                } finally {
                    batchLock.unlock();
                }
                taken.clear();
            }
        } finally {
            onStop.run();
        }
    }
}
