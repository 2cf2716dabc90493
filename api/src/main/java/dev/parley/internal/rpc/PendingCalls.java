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
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The calls one connection is waiting on, by call id. Any number may be outstanding; each ends
 * exactly once: answered, timed out, or failed because the connection closed. Thread-safe.
 *
 * <p>The caller's thread puts a call and the connection's reader takes it when the answer comes,
 * usually at the same moment when calls are pipelined, so they must not meet in a lock (each
 * meeting parks one of them and costs a wake-up). Ids are handed out in sequence, so a call goes
 * in the slot of a ring at its id modulo {@value #SLOTS}, put and taken with one compare-and-set
 * each; only a call whose slot still holds an older one, more than {@value #SLOTS} calls back,
 * goes to a map under a lock. Whoever takes a call out of its slot or the map ends it, so it ends
 * once. The ring is made on the first call, so a connection that never calls pays nothing for it.
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
    /** Calls that fit the ring: more than a pipelining caller keeps in flight (Parley's benchmark keeps 256). */
    static final int SLOTS = 512;

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
    /** The calls awaited, at their id modulo {@link #SLOTS}; made by the first call, under {@link #lock}. */
    private volatile AtomicReferenceArray<Pending> ring;
    /** Guards {@link #overflow} and the making of {@link #ring}; held for a few instructions, never while completing a call. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The calls awaited whose slot held an older call, by id: no boxing. */
    private final LongMap<Pending> overflow = new LongMap<>();
    /** Set once, before {@link #closeAll} empties the ring and the map: a call put after sees it. */
    private volatile Throwable closedCause;
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
        if (!ring().compareAndSet(slot(id), null, call)) {
            lock.lock();
            try {
                overflow.put(id, call);
            } finally {
                lock.unlock();
            }
        }
        // Put, then read: closeAll writes the cause, then empties; one of the two sees the other.
        Throwable closed = closedCause;
        if (closed != null) {
            if (take(id) == call) {
                failWith(call, closed);
            }
        } else {
            armSweep(due);
        }
        return call;
    }

    private AtomicReferenceArray<Pending> ring() {
        AtomicReferenceArray<Pending> slots = ring;
        if (slots == null) {
            lock.lock();
            try {
                slots = ring;
                if (slots == null) {
                    ring = slots = new AtomicReferenceArray<>(SLOTS);
                }
            } finally {
                lock.unlock();
            }
        }
        return slots;
    }

    private static int slot(long id) {
        return (int) id & (SLOTS - 1);
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
        for (Pending call : awaited()) {
            if (call.dueNanos - now <= 0) {
                if (take(call.id) == call) {
                    due.add(call);
                }
            } else if (earliest == NONE || call.dueNanos - earliest < 0) {
                earliest = call.dueNanos;
            }
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
        closedCause = cause;
        for (Pending call : awaited()) {
            if (take(call.id) == call) {
                failWith(call, cause);
            }
        }
    }

    /** How many calls are waiting: counted slot by slot, for diagnostics and tests, not for every call. */
    public int outstanding() {
        return awaited().size();
    }

    /** The calls awaited at some moment during the call. */
    private List<Pending> awaited() {
        List<Pending> calls = new ArrayList<>();
        AtomicReferenceArray<Pending> slots = ring;
        if (slots != null) {
            for (int i = 0; i < SLOTS; i++) {
                Pending call = slots.get(i);
                if (call != null) {
                    calls.add(call);
                }
            }
        }
        lock.lock();
        try {
            overflow.forEach(calls::add);
        } finally {
            lock.unlock();
        }
        return calls;
    }

    /** Takes call {@code id} out of its slot or the map; null if it is not awaited (ended, or never made). */
    private Pending take(long id) {
        AtomicReferenceArray<Pending> slots = ring;
        if (slots != null) {
            int slot = slot(id);
            Pending call = slots.get(slot);
            if (call != null && call.id == id) {
                return slots.compareAndSet(slot, call, null) ? call : null;
            }
        }
        lock.lock();
        try {
            return overflow.remove(id);
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
