package dev.parley.chaos.internal;

import dev.parley.chaos.Toxic;

import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/**
 * The arithmetic of the toxics, apart from any socket so it can be tested alone: how long a
 * latency holds a chunk, how big a slice is, how long a chunk takes at a bandwidth. Stateless;
 * randomness comes in as a supplier of uniform doubles in [0, 1).
 */
public final class FaultMath {

    /** Bandwidth rates count kilobytes of 1024 bytes. */
    public static final int KILOBYTE = 1024;

    private FaultMath() {
    }

    /** {@code latencyMillis} plus a uniform jitter in [-jitterMillis, +jitterMillis], never below zero, in ns. */
    public static long latencyNanos(double latencyMillis, double jitterMillis, DoubleSupplier uniform) {
        double millis = latencyMillis + (jitterMillis > 0 ? (uniform.getAsDouble() * 2 - 1) * jitterMillis : 0);
        return Math.max(0, Math.round(millis * 1_000_000));
    }

    /**
     * The size of the next slice of a slicer toxic: average_size plus a uniform variation in
     * [-size_variation, +size_variation], at least one byte.
     */
    public static int sliceSize(Toxic slicer, DoubleSupplier uniform) {
        double average = slicer.attribute("average_size");
        double variation = slicer.attribute("size_variation");
        double size = average + (variation > 0 ? (uniform.getAsDouble() * 2 - 1) * variation : 0);
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(size)));
    }

    /** How long {@code bytes} take to pass at {@code rateKilobytesPerSecond}, in ns. */
    public static long transmitNanos(long bytes, double rateKilobytesPerSecond) {
        return Math.round(bytes * (double) TimeUnit.SECONDS.toNanos(1) / (rateKilobytesPerSecond * KILOBYTE));
    }
}
