package dev.parley.internal.rpc;

import dev.parley.rpc.Fault;
import dev.parley.rpc.RemoteException;
import dev.parley.rpc.RemoteFaultException;
import dev.parley.rpc.RemoteTimeoutException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls one connection is waiting on, by call id. Any number may be outstanding; each ends
 * exactly once: answered, timed out, or failed because the connection closed. Thread-safe.
 */
public final class PendingCalls {

    /** One daemon thread watches every deadline in the JVM; answered calls cancel their timer. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    private record Pending(CompletableFuture<Object> result, String method) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private volatile Throwable closedCause;

    /** A fresh call id. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Starts waiting for call {@code id}; the future fails with {@link RemoteTimeoutException} if no
     * answer arrives within {@code deadline}.
     */
    public CompletableFuture<Object> expect(long id, String method, Duration deadline) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        pending.put(id, new Pending(result, method));
        Throwable closed = closedCause;
        if (closed != null) {
            fail(id, closed);
            return result;
        }
        ScheduledFuture<?> timer = DEADLINES.schedule(() -> {
            Pending p = pending.remove(id);
            if (p != null) {
                p.result().completeExceptionally(new RemoteTimeoutException(method, deadline));
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((value, failure) -> timer.cancel(false));
        return result;
    }

    /** Stops waiting for call {@code id}, failing it with {@code cause}, if it is still awaited. */
    public void fail(long id, Throwable cause) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.result().completeExceptionally(cause instanceof RemoteException r
                    ? r : new RemoteException(p.method() + " failed: " + cause.getMessage(), cause));
        }
    }

    /** An answer arrived. Answers to calls no longer awaited (timed out) are dropped. */
    public void answer(Reply reply) {
        Pending p = pending.remove(reply.callId());
        if (p != null) {
            p.result().complete(reply.value());
        }
    }

    /** A fault arrived. */
    public void answer(Fault fault) {
        Pending p = pending.remove(fault.callId());
        if (p != null) {
            p.result().completeExceptionally(new RemoteFaultException(p.method(), fault));
        }
    }

    /** The connection closed: every outstanding call, and every later one, fails with {@code cause}. */
    public void closeAll(Throwable cause) {
        closedCause = cause;
        for (Long id : pending.keySet()) {
            fail(id, cause);
        }
    }

    /** How many calls are waiting. */
    public int outstanding() {
        return pending.size();
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        var timer = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("parley-call-deadlines").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
