package dev.parley.bench;

import java.util.Arrays;

/**
 * Round-trip percentiles of one contender in one round, in nanoseconds, from every sample (no
 * histogram buckets): the sorted samples are indexed directly.
 */
record Latency(String contender, int samples, long p50, long p99, long p999) {

    /** The percentiles of {@code nanos[0..count)}; sorts that range in place. */
    static Latency of(String contender, long[] nanos, int count) {
        if (count == 0) {
            throw new IllegalArgumentException(contender + ": no round trips measured");
        }
        Arrays.sort(nanos, 0, count);
        return new Latency(contender, count, at(nanos, count, 0.50), at(nanos, count, 0.99), at(nanos, count, 0.999));
    }

    private static long at(long[] sorted, int count, double quantile) {
        return sorted[Math.min(count - 1, (int) Math.ceil(quantile * count) - 1)];
    }
}
