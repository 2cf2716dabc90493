package dev.parley.bench;

import java.util.Collection;
import java.util.function.ToDoubleFunction;

/** The median over rounds of one figure: what every table and ratio of the results quotes. */
final class Medians {

    private Medians() {
    }

    /** The median of {@code figure} over {@code rounds} (the mean of the middle two for an even count). */
    static <T> double of(Collection<T> rounds, ToDoubleFunction<T> figure) {
        if (rounds.isEmpty()) {
            throw new IllegalArgumentException("no rounds to take a median of");
        }
        double[] values = rounds.stream().mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }
}
