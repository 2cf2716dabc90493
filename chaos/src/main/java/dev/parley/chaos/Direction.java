package dev.parley.chaos;

import dev.parley.chaos.internal.WireNames;

/**
 * Which way through a proxy a toxic acts, named as Toxiproxy names them: {@link #UPSTREAM} is what
 * the client sends towards the server, {@link #DOWNSTREAM} what the server sends back.
 */
public enum Direction {
    /** Client to server. */
    UPSTREAM,
    /** Server to client (Toxiproxy's default). */
    DOWNSTREAM;

    /** The name on the wire: {@code "upstream"} or {@code "downstream"}. */
    public String wireName() {
        return WireNames.of(this);
    }

    /**
     * The direction called {@code name}, ignoring case.
     *
     * @throws IllegalArgumentException if it is neither upstream nor downstream
     */
    public static Direction fromWireName(String name) {
        return WireNames.find(values(), name, "stream");
    }
}
