package dev.parley.transport.udp.internal;

/** The name the UDP transport is found by; shared by the public class and the internals. A constant; any thread. */
public final class UdpTransportName {

    public static final String NAME = "udp";

    private UdpTransportName() {
    }
}
