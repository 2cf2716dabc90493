package dev.parley.internal.rpc;

import dev.parley.rpc.Fault;
import dev.parley.rpc.RemoteException;
import dev.parley.rpc.RemoteFaultException;
import dev.parley.rpc.RemoteTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

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

    /** A call awaited: the future its caller holds, with what its timeout needs. */
    private static final class Pending extends CompletableFuture<Object> {
        private final long id;
        private final String method;
        private final Duration deadline;
        private final long dueNanos;

        Pending(long id, String method, Duration deadline, long dueNanos) {
            this.id = id;
            this.method = method;
            this.deadline = deadline;
            this.dueNanos = dueNanos;
        }
    }

    private final AtomicLong ids = new AtomicLong();
    /** Guards {@link #pending} and {@link #closedCause}; held for a few instructions, never while completing a call. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The calls awaited, by id: no boxing and no allocation per call but the future itself. */
    private final LongMap<Pending> pending = new LongMap<>();
    private Throwable closedCause;
    /** When the armed sweep runs (nanoTime), or {@link #NONE}. */
    private final AtomicLong sweepAt = new AtomicLong(NONE);

    /** A fresh call id. */
    public long nextId() {
        return ids.incrementAndGet();
    }

    /**
     * Starts waiting for call {@code id}; the future fails with {@link RemoteTimeoutException} if no
     * answer arrives within {@code deadline}.
     */
    public CompletableFuture<Object> expect(long id, String method, Duration deadline) {
        long due = System.nanoTime() + deadline.toNanos();
        var call = new Pending(id, method, deadline, due);
        Throwable closed;
        lock.lock();
        try {
            closed = closedCause;
            if (closed == null) {
                pending.put(id, call);
            }
        } finally {
            lock.unlock();
        }
        if (closed != null) {
            failWith(call, closed);
        } else {
            armSweep(due);
        }
        return call;
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
        List<Pending> due = new ArrayList<>();
        long earliest = NONE;
        lock.lock();
        try {
            List<Pending> calls = new ArrayList<>(pending.size());
            pending.forEach(calls::add);
            for (Pending call : calls) {
                if (call.dueNanos - now <= 0) {
                    pending.remove(call.id);
                    due.add(call);
                } else if (earliest == NONE || call.dueNanos - earliest < 0) {
                    earliest = call.dueNanos;
                }
            }
        } finally {
            lock.unlock();
        }
        for (Pending call : due) {
            call.completeExceptionally(new RemoteTimeoutException(call.method, call.deadline));
        }
        if (earliest != NONE) {
            armSweep(Math.max(earliest, now + SWEEP_GRANULARITY_NANOS));
        }
    }

    /** Stops waiting for call {@code id}, failing it with {@code cause}, if it is still awaited. */
    public void fail(long id, Throwable cause) {
        Pending call = take(id);
        if (call != null) {
            failWith(call, cause);
        }
    }

    /** An answer arrived. Answers to calls no longer awaited (timed out) are dropped. */
    public void answer(Reply reply) {
        Pending call = take(reply.callId());
        if (call != null) {
            call.complete(reply.value());
        }
    }

    /** A fault arrived. */
    public void answer(Fault fault) {
        Pending call = take(fault.callId());
        if (call != null) {
            call.completeExceptionally(new RemoteFaultException(call.method, fault));
        }
    }

    /** The connection closed: every outstanding call, and every later one, fails with {@code cause}. */
    public void closeAll(Throwable cause) {
        List<Pending> calls = new ArrayList<>();
        lock.lock();
        try {
            closedCause = cause;
            pending.clear(calls::add);
        } finally {
            lock.unlock();
        }
        for (Pending call : calls) {
            failWith(call, cause);
        }
    }

    /** How many calls are waiting. */
    public int outstanding() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    private Pending take(long id) {
        lock.lock();
        try {
            return pending.remove(id);
        } finally {
            lock.unlock();
        }
    }

    private static void failWith(Pending call, Throwable cause) {
        call.completeExceptionally(cause instanceof RemoteException r
                ? r : new RemoteException(call.method + " failed: " + cause.getMessage(), cause));
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        return new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("parley-call-deadlines").factory());
    }
}
