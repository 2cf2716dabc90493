package dev.parley.internal.rpc;

import dev.parley.rpc.Fault;
import dev.parley.rpc.RemoteException;
import dev.parley.rpc.RemoteFaultException;
import dev.parley.rpc.RemoteTimeoutException;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The calls one connection is waiting on, by call id. Any number may be outstanding; each ends
 * exactly once: answered, timed out, or failed because the connection closed. Thread-safe.
 *
 * <p>Deadlines cost a call nothing but its entry: rather than a timer per call (a task in the
 * JVM-wide timer's queue, whose lock every call on every connection would take twice), each
 * connection keeps at most one <b>sweep</b> armed, at the earliest deadline it has been told of.
 * The sweep fails the calls that are due and arms the next sweep for the earliest deadline left,
 * at least {@value #SWEEP_GRANULARITY_NANOS} ns later, so a call may time out up to that much
 * past its deadline. A call arms a sweep only when its deadline is earlier than the one armed,
 * which with one deadline for every call is only the first call after a quiet spell.
 */
public final class PendingCalls {

    /** One daemon thread runs every connection's sweeps in the JVM. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();
    /** The least time between two sweeps of one connection: bounds a sweep's work when many calls time out together. */
    private static final long SWEEP_GRANULARITY_NANOS = 1_000_000;
    private static final long NONE = Long.MAX_VALUE;

    private record Pending(CompletableFuture<Object> result, String method, Duration deadline, long dueNanos) {
    }

    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    /** When the armed sweep runs (nanoTime), or {@link #NONE}. */
    private final AtomicLong sweepAt = new AtomicLong(NONE);
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
        long due = System.nanoTime() + deadline.toNanos();
        pending.put(id, new Pending(result, method, deadline, due));
        Throwable closed = closedCause;
        if (closed != null) {
            fail(id, closed);
            return result;
        }
        armSweep(due);
        return result;
    }

    /**
     * Makes sure a sweep runs by {@code due}. The entry it is for was put before: a sweep that
     * already disarmed itself (below) and scans afterwards sees that entry.
     */
    private void armSweep(long due) {
        while (true) {
            long armed = sweepAt.get();
            if (armed - due <= 0 && armed != NONE) {
                return;
            }
            if (sweepAt.compareAndSet(armed, due)) {
                DEADLINES.schedule(() -> sweep(due), Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                return;
            }
        }
    }

    /** Fails the calls that are due and arms a sweep for the earliest one left. The timer's thread. */
    private void sweep(long scheduledFor) {
        if (!sweepAt.compareAndSet(scheduledFor, NONE)) {
            return; // an earlier sweep was armed since; it (or its successors) covers every call
        }
        long now = System.nanoTime();
        long earliest = NONE;
        for (var entry : pending.entrySet()) {
            Pending p = entry.getValue();
            if (p.dueNanos() - now <= 0) {
                if (pending.remove(entry.getKey(), p)) {
                    p.result().completeExceptionally(new RemoteTimeoutException(p.method(), p.deadline()));
                }
            } else if (earliest == NONE || p.dueNanos() - earliest < 0) {
                earliest = p.dueNanos();
            }
        }
        if (earliest != NONE) {
            armSweep(Math.max(earliest, now + SWEEP_GRANULARITY_NANOS));
        }
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
        return new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("parley-call-deadlines").factory());
    }
}
