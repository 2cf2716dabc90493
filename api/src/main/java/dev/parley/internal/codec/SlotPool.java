package dev.parley.internal.codec;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A bounded pool of reusable objects that takes no lock: a fixed array of slots, each holding a
 * free object or null, claimed and returned with compare-and-set. A thread starts probing at a
 * slot chosen by its id, so threads that take and return one object each mostly find their own
 * slot at the first probe. Kryo's own pool is a {@code LinkedBlockingQueue}, whose lock and
 * signalling cost more than the encoding of a small message.
 *
 * <p>When every slot is empty, {@link #obtain} creates a new object; when every slot is full,
 * {@link #free} drops the object for the garbage collector. Thread-safe.
 */
public final class SlotPool<T> {

    private final AtomicReferenceArray<T> slots;
    private final int mask;
    private final Supplier<T> factory;

    /**
     * @param capacity how many free objects are kept, rounded up to a power of two
     * @param factory  creates an object when none is free
     */
    public SlotPool(int capacity, Supplier<T> factory) {
        if (capacity < 1 || capacity > 1 << 16) {
            throw new IllegalArgumentException("capacity must be between 1 and 65536, was " + capacity);
        }
        int size = Integer.bitCount(capacity) == 1 ? capacity : Integer.highestOneBit(capacity) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
        this.factory = factory;
    }

    /** A free object, or a new one if none is free. */
    public T obtain() {
        int start = home();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            T object = slots.getPlain(slot);
            if (object != null && slots.compareAndSet(slot, object, null)) {
                return object;
            }
        }
        return factory.get();
    }

    /** Returns {@code object} to the pool; the caller must not use it afterwards. */
    public void free(T object) {
        int start = home();
        for (int i = 0; i <= mask; i++) {
            int slot = (start + i) & mask;
            if (slots.getPlain(slot) == null && slots.compareAndSet(slot, null, object)) {
                return;
            }
        }
    }

    private int home() {
        return (int) Thread.currentThread().threadId() & mask;
    }
}
