package dev.parley.examples.shutdown;

import dev.parley.codec.Codec;

import java.util.Objects;

/** The server's last word to each client: it is going down, and why. */
public record ShuttingDown(String reason) {

    private static final Codec CODEC = Codec.builder().register(72, ShuttingDown.class).build();

    public ShuttingDown {
        Objects.requireNonNull(reason, "reason");
    }

    /** The codec both sides use. */
    public static Codec codec() {
        return CODEC;
    }
}
