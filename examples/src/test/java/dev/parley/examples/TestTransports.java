package dev.parley.examples;

import java.util.stream.Stream;

/** The transports every example test runs over: add a transport here and they all run over it too. */
public final class TestTransports {

    private TestTransports() {
    }

    public static Stream<String> names() {
        return Stream.of("memory", "tcp", "udp");
    }
}
