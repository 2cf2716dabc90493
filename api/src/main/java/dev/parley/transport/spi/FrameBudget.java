package dev.parley.transport.spi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory one listener lets all its connections hold in frames that are still arriving, so
 * that many peers announcing long frames and then stalling cannot together exhaust the heap.
 *
 * <p>A frame of at most {@link #ALLOWANCE} bytes needs nothing from the budget: every connection
 * may always hold one such frame, which is what keeps small messages flowing while the budget is
 * spent. A longer frame reserves its whole announced length when its length becomes known (before
 * its bytes arrive, so a frame that got its reservation can always finish) and gives it back when
 * it is whole or its connection ends. A frame that finds too little room is refused: its
 * connection closes with {@link dev.parley.transport.ConnectionClosedException.Reason#OVERLOADED}.
 *
 * <p>Thread-safe and lock-free: the readers of every connection of a listener share one.
 */
public final class FrameBudget {

    /** The longest frame that needs no reservation: 16 KiB. */
    public static final int ALLOWANCE = 16 * 1024;

    private static final FrameBudget UNLIMITED = new FrameBudget(Long.MAX_VALUE);

    private final long totalBytes;
    private final AtomicLong reservedBytes = new AtomicLong();

    private FrameBudget(long totalBytes) {
        this.totalBytes = totalBytes;
    }

    /** A budget of {@code totalBytes} shared by the connections of one listener. */
    public static FrameBudget of(long totalBytes) {
        if (totalBytes < 1) {
            throw new IllegalArgumentException("a frame budget must be at least 1 byte, was " + totalBytes);
        }
        return new FrameBudget(totalBytes);
    }

    /** A budget that never refuses; for a connection a process opened itself, which trusts its server. */
    public static FrameBudget unlimited() {
        return UNLIMITED;
    }

    /**
     * Reserves room for a frame of {@code frameLength} bytes, if it needs any.
     *
     * @return false if the frame needs room and there is not enough left; nothing was reserved
     */
    public boolean tryReserve(int frameLength) {
        if (!needsReservation(frameLength)) {
            return true;
        }
        long reserved;
        do {
            reserved = reservedBytes.get();
            if (reserved + frameLength > totalBytes) {
                return false;
            }
        } while (!reservedBytes.compareAndSet(reserved, reserved + frameLength));
        return true;
    }

    /** Gives back what {@link #tryReserve} took for a frame of {@code frameLength} bytes. */
    public void release(int frameLength) {
        if (needsReservation(frameLength)) {
            reservedBytes.addAndGet(-frameLength);
        }
    }

    /** Bytes reserved now by frames under way. */
    public long reservedBytes() {
        return reservedBytes.get();
    }

    /** The budget's size in bytes. */
    public long totalBytes() {
        return totalBytes;
    }

    private boolean needsReservation(int frameLength) {
        return frameLength > ALLOWANCE && this != UNLIMITED;
    }

    @Override
    public String toString() {
        return this == UNLIMITED ? "unlimited" : reservedBytes.get() + " of " + totalBytes + " bytes reserved";
    }
}
