package dev.parley.internal.codec;

import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A pool of reusable objects that takes no lock. A platform thread that has obtained an object
 * {@value #ADOPT_AFTER} times keeps one of its own from then on, taken from the shared slots and
 * kept while the thread lives (a thread-local), which it obtains and frees with plain reads and
 * writes; a compare-and-set each way cost about five times as much. Only frequent users adopt
 * one, so that a thread which touches many pools a few times each (one that connects thousands of
 * clients, each with its own codec) does not hold an object of each. Virtual threads, which may be
 * many and short-lived, platform threads until they adopt, and a platform thread whose own object
 * is already lent (a nested {@link #obtain}) share the slots.
 *
 * <p>The shared slots are a fixed array, each holding a free object or null, claimed and returned
 * with compare-and-set. A thread looks only at a few slots starting from one chosen by its thread
 * id, and creates an object rather than search further; so once the pool has filled, a thread
 * mostly finds an object at its first slot, and threads rarely touch the same slot. Kryo's own
 * pool is a {@code LinkedBlockingQueue}, whose lock and signalling cost more than the encoding of
 * a small message; a single lock-free stack measured no better, its top being contended by every
 * thread.
 *
 * <p>Each slot sits {@link #STRIDE} references from the next, so that no two share a cache line:
 * packed side by side (sixteen compressed references to a 64-byte line), threads with different
 * home slots still wrote the same lines, and on 16 cores a fifth of a codec-bound benchmark's
 * samples waited on the compare-and-set in {@link #free}. The capacity is a power of two, so that
 * a slot is found with a mask rather than a division.
 *
 * <p>At most {@code capacity} free objects are kept in the slots: {@link #free} drops an object for
 * the garbage collector when the slots it looks at are taken. Besides those, each live platform
 * thread that has adopted one keeps it while the pool lives: the pool holds the threads' own
 * objects, and a thread's thread-local holds only a weak reference to its share (a JDK class), so
 * that neither a thread that ends nor a pool dropped by its application (a web application
 * undeployed from a container whose threads live on) leaves an object, or the class loader of its
 * classes, reachable from the other. Thread-safe; an object must be freed on the thread that
 * obtained it.
 */
public final class ObjectPool<T> {

    /** Slots a thread looks at, from its own, before it creates or drops an object. */
    private static final int PROBES = 4;

    /**
     * References from one slot to the next: 32 are 128 bytes with compressed references (256
     * without), two 64-byte cache lines, as the CPU's adjacent-line prefetcher fetches lines in
     * pairs. The references in between stay null; the array is also padded by a stride before the
     * first slot and after the last, away from its header and its neighbours in the heap.
     */
    static final int STRIDE = 32;

    /** Obtains by one platform thread after which it keeps an object of its own. */
    static final int ADOPT_AFTER = 64;

    /**
     * A platform thread's use of the pool: how often it obtained, its own object once adopted, and
     * whether that is lent out now. Used by that thread only.
     */
    private static final class Owned<T> {
        private int obtained;
        private T object;
        private boolean lent;
    }

    /** Slots a thread looks at: {@link #PROBES}, or all of them if there are fewer. */
    private final int probes;
    /** {@code capacity - 1}: a slot number modulo the capacity. */
    private final int mask;
    private final AtomicReferenceArray<T> slots;
    private final Supplier<T> factory;
    /**
     * Each platform thread's share, held strongly while the thread lives; that of a thread that
     * has ended goes when the next thread first uses the pool. Guarded by itself.
     */
    private final Map<Thread, Owned<T>> shares = new WeakHashMap<>();
    /** Each platform thread's share, weakly: the pool's objects are not kept by the thread. */
    private final ThreadLocal<WeakReference<Owned<T>>> owned = new ThreadLocal<>();

    /**
     * @param capacity how many free objects the shared slots keep at most: a power of two
     * @param factory  creates an object when none is free
     */
    public ObjectPool(int capacity, Supplier<T> factory) {
        if (capacity < 1 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two, was " + capacity);
        }
        this.probes = Math.min(PROBES, capacity);
        this.mask = capacity - 1;
        this.slots = new AtomicReferenceArray<>((capacity + 2) * STRIDE);
        this.factory = factory;
    }

    /**
     * This platform thread's own object if it has one and it is not lent, else a free shared one,
     * else a new one.
     */
    public T obtain() {
        if (!Thread.currentThread().isVirtual()) {
            Owned<T> mine = share();
            if (mine.object == null && ++mine.obtained >= ADOPT_AFTER) {
                mine.object = obtainShared();
            }
            if (mine.object != null && !mine.lent) {
                mine.lent = true;
                return mine.object;
            }
        }
        return obtainShared();
    }

    /** Returns {@code object}, obtained on this thread, to the pool; the caller must not use it afterwards. */
    public void free(T object) {
        if (!Thread.currentThread().isVirtual()) {
            Owned<T> mine = mine();
            if (mine != null && mine.object == object) {
                mine.lent = false;
                return;
            }
        }
        int home = home();
        for (int i = 0; i < probes; i++) {
            int slot = index(home + i);
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, object)) {
                return;
            }
        }
    }

    /** This platform thread's share, or null before its first obtain. */
    private Owned<T> mine() {
        WeakReference<Owned<T>> held = owned.get();
        return held == null ? null : held.get();
    }

    /** This platform thread's share, made and registered on its first obtain. */
    private Owned<T> share() {
        Owned<T> mine = mine();
        if (mine == null) {
            mine = new Owned<>();
            synchronized (shares) {
                shares.put(Thread.currentThread(), mine);
            }
            owned.set(new WeakReference<>(mine));
        }
        return mine;
    }

    private T obtainShared() {
        int home = home();
        for (int i = 0; i < probes; i++) {
            int slot = index(home + i);
            T object = slots.getPlain(slot);
            if (object != null && slots.compareAndSet(slot, object, null)) {
                return object;
            }
        }
        return factory.get();
    }

    private int home() {
        return (int) Thread.currentThread().threadId() & mask;
    }

    /** Where the {@code n}th slot (modulo the capacity) sits in the array. */
    private int index(int n) {
        return ((n & mask) + 1) * STRIDE;
    }
}
