package dev.parley.internal.codec;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A bounded pool of reusable objects that takes no lock: a fixed array of slots, each holding a
 * free object or null, claimed and returned with compare-and-set. A thread looks only at a few
 * slots starting from one chosen by its thread id, and creates an object rather than search
 * further; so once the pool has filled, a thread mostly finds an object at its first slot, and
 * threads rarely touch the same slot. Kryo's own pool is a {@code LinkedBlockingQueue}, whose
 * lock and signalling cost more than the encoding of a small message; a single lock-free stack
 * measured no better, its top being contended by every thread.
 *
 * <p>Each slot sits {@link #STRIDE} references from the next, so that no two share a cache line:
 * packed side by side (sixteen compressed references to a 64-byte line), threads with different
 * home slots still wrote the same lines, and on 16 cores a fifth of a codec-bound benchmark's
 * samples waited on the compare-and-set in {@link #free}.
 *
 * <p>At most {@code capacity} free objects are kept: {@link #free} drops an object for the
 * garbage collector when the slots it looks at are taken. Thread-safe.
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

    private final int capacity;
    private final AtomicReferenceArray<T> slots;
    private final Supplier<T> factory;

    /**
     * @param capacity how many free objects are kept at most
     * @param factory  creates an object when none is free
     */
    public ObjectPool(int capacity, Supplier<T> factory) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.slots = new AtomicReferenceArray<>((capacity + 2) * STRIDE);
        this.factory = factory;
    }

    /** A free object, or a new one if none is free where this thread looks. */
    public T obtain() {
        int home = home();
        for (int i = 0; i < Math.min(PROBES, capacity); i++) {
            int slot = index(home + i);
            T object = slots.getPlain(slot);
            if (object != null && slots.compareAndSet(slot, object, null)) {
                return object;
            }
        }
        return factory.get();
    }

    /** Returns {@code object} to the pool; the caller must not use it afterwards. */
    public void free(T object) {
        int home = home();
        for (int i = 0; i < Math.min(PROBES, capacity); i++) {
            int slot = index(home + i);
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, object)) {
                return;
            }
        }
    }

    private int home() {
        return (int) (Thread.currentThread().threadId() % capacity);
    }

    /** Where the {@code n}th slot (modulo the capacity) sits in the array. */
    private int index(int n) {
        return (n % capacity + 1) * STRIDE;
    }
}
