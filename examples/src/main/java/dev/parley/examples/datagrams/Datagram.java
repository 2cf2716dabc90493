package dev.parley.examples.datagrams;

import dev.parley.codec.Codec;

/** Message number {@code seq} of a run; the same record goes out over raw UDP and over Parley. */
public record Datagram(int seq, String text) {

    private static final Codec CODEC = Codec.builder().register(73, Datagram.class).build();

    /** The codec both senders and both receivers use. */
    public static Codec codec() {
        return CODEC;
    }
}
