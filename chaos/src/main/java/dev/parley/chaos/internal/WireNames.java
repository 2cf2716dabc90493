package dev.parley.chaos.internal;

import java.util.Arrays;
import java.util.Locale;

/** Maps enum constants to and from their lower-case names in the control API. Stateless. */
public final class WireNames {

    private WireNames() {
    }

    /** {@code constant}'s name in lower case: {@code RESET_PEER} is {@code "reset_peer"}. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The constant of {@code values} whose wire name is {@code name}, ignoring case.
     *
     * @throws IllegalArgumentException naming {@code what} and the names there are, if none matches
     */
    public static <E extends Enum<E>> E find(E[] values, String name, String what) {
        for (E value : values) {
            if (of(value).equalsIgnoreCase(name)) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; known: "
                + Arrays.stream(values).map(WireNames::of).toList());
    }
}
