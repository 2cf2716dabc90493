package dev.parley.chaos;

import dev.parley.chaos.internal.WireNames;

/** What a proxy carries: a TCP stream (as Toxiproxy does) or UDP datagrams (this kit's extension). */
public enum Protocol {
    TCP,
    UDP;

    /** The name on the wire: {@code "tcp"} or {@code "udp"}. */
    public String wireName() {
        return WireNames.of(this);
    }

    /**
     * The protocol called {@code name}, ignoring case; this is also how scenarios name the Parley
     * transport they run over.
     *
     * @throws IllegalArgumentException if it is neither tcp nor udp
     */
    public static Protocol fromWireName(String name) {
        return WireNames.find(values(), name, "protocol");
    }
}
