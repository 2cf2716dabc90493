package dev.parley.internal.rpc;

import java.util.function.Consumer;

/**
 * A map from {@code long} keys to values that boxes nothing and allocates nothing per entry: open
 * addressing with linear probing, deletion by shifting the entries after back (no tombstones). It
 * doubles when half full and never shrinks, as a {@code HashMap} does. For {@link PendingCalls}'
 * calls that do not fit its ring, by call id. Null values are not allowed. Not thread-safe.
 */
final class LongMap<V> {

    private static final int FIRST_CAPACITY = 16;

    private long[] keys = new long[FIRST_CAPACITY];
    private Object[] values = new Object[FIRST_CAPACITY];
    /** 64 less the bits of a slot number: the hash's top bits pick the slot. */
    private int shift = Long.numberOfLeadingZeros(FIRST_CAPACITY - 1);
    private int size;

    /** Puts {@code value} under {@code key}, replacing what was there. */
    void put(long key, V value) {
        if (value == null) {
            throw new NullPointerException("value");
        }
        if (2 * (size + 1) > keys.length) {
            grow();
        }
        int mask = keys.length - 1;
        int slot = slot(key);
        while (values[slot] != null) {
            if (keys[slot] == key) {
                values[slot] = value;
                return;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
        size++;
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int slot = slot(key); values[slot] != null; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                return (V) values[slot];
            }
        }
        return null;
    }

    /** Removes and returns the value under {@code key}, or returns null if there is none. */
    @SuppressWarnings("unchecked")
    V remove(long key) {
        int mask = keys.length - 1;
        for (int slot = slot(key); values[slot] != null; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                V removed = (V) values[slot];
                closeGap(slot, mask);
                size--;
                return removed;
            }
        }
        return null;
    }

    /** Calls {@code visit} with each value, in no particular order; it must not change the map. */
    @SuppressWarnings("unchecked")
    void forEach(Consumer<V> visit) {
        for (Object value : values) {
            if (value != null) {
                visit.accept((V) value);
            }
        }
    }

    int size() {
        return size;
    }

    /**
     * Empties {@code gap} without breaking a probe run: each later entry of the run whose home
     * slot does not lie cyclically in (gap, its slot] moves back into the gap, which moves on.
     */
    private void closeGap(int gap, int mask) {
        int slot = gap;
        while (true) {
            slot = (slot + 1) & mask;
            if (values[slot] == null) {
                values[gap] = null;
                return;
            }
            int home = slot(keys[slot]);
            boolean staysPut = gap <= slot ? gap < home && home <= slot : gap < home || home <= slot;
            if (!staysPut) {
                keys[gap] = keys[slot];
                values[gap] = values[slot];
                gap = slot;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        shift--;
        size = 0;
        for (int slot = 0; slot < oldKeys.length; slot++) {
            if (oldValues[slot] != null) {
                put(oldKeys[slot], (V) oldValues[slot]);
            }
        }
    }

    /** Fibonacci hashing: any run of keys, consecutive ones too, spreads evenly over the table. */
    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }
}
