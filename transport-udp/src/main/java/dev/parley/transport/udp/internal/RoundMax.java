package dev.parley.transport.udp.internal;

import java.util.Arrays;

/**
 * The largest value seen over the last few round trips, as BBR keeps its bandwidth and its ACK
 * aggregation: one slot per round, a slot reused once its round has left the window. Not
 * thread-safe: owned by one controller.
 */
final class RoundMax {

    private final long[] values;
    private final long[] rounds;

    /** A filter over the last {@code windowRounds} rounds, empty (every maximum 0). */
    RoundMax(int windowRounds) {
        this.values = new long[windowRounds];
        this.rounds = new long[windowRounds];
        reset();
    }

    /** Takes {@code value}, seen in round {@code round}; rounds never go back. */
    void update(long value, long round) {
        int slot = (int) (round % values.length);
        if (rounds[slot] != round) {
            rounds[slot] = round;
            values[slot] = 0;
        }
        values[slot] = Math.max(values[slot], value);
    }

    /** The largest value of the window that ends with round {@code round}; 0 if none. */
    long max(long round) {
        long max = 0;
        for (int i = 0; i < values.length; i++) {
            if (rounds[i] > round - values.length) {
                max = Math.max(max, values[i]);
            }
        }
        return max;
    }

    /** Forgets every value. */
    void reset() {
        Arrays.fill(values, 0);
        Arrays.fill(rounds, Long.MIN_VALUE);
    }
}
