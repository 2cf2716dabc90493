package dev.parley.server;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a task once, after a delay: the server's timer thread ({@code parley-im-timer}), or a test
 * that runs the tasks it was given when it chooses.
 */
@FunctionalInterface
interface Scheduler {

    /** @throws RejectedExecutionException if the server is closing and the task will never run */
    void schedule(Runnable task, Duration delay);
}
