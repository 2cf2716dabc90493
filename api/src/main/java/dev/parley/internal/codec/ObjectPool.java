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
 * <p>At most {@code capacity} free objects are kept: {@link #free} drops an object for the
 * garbage collector when the slots it looks at are taken. Thread-safe.
 */
public final class ObjectPool<T> {

    /** Slots a thread looks at, from its own, before it creates or drops an object. */
    private static final int PROBES = 4;

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
        this.slots = new AtomicReferenceArray<>(capacity);
        this.factory = factory;
    }

    /** A free object, or a new one if none is free where this thread looks. */
    public T obtain() {
        int home = home();
        for (int i = 0; i < Math.min(PROBES, slots.length()); i++) {
            int slot = (home + i) % slots.length();
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
        for (int i = 0; i < Math.min(PROBES, slots.length()); i++) {
            int slot = (home + i) % slots.length();
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, object)) {
                return;
            }
        }
    }

    private int home() {
        return (int) (Thread.currentThread().threadId() % slots.length());
    }
}
