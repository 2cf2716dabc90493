package dev.parley.examples;

import dev.parley.codec.Codec;

import java.util.Objects;

/**
 * One line of text, the message of the echo, time-stamped echo and connection counter examples.
 * Where the Python lessons sent raw bytes and hoped a {@code recv(1024)} got the whole line,
 * Parley delivers each {@code Line} whole.
 */
public record Line(String text) {

    private static final Codec CODEC = Codec.builder().register(64, Line.class).build();

    public Line {
        Objects.requireNonNull(text, "text");
    }

    /** The codec both sides use: every class that may cross the wire, under a fixed id. */
    public static Codec codec() {
        return CODEC;
    }
}
