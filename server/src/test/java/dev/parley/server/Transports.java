package dev.parley.server;

import java.util.stream.Stream;

/** The transports the server scenarios run over: add a name here and every scenario runs over it too. */
final class Transports {

    private Transports() {
    }

    static Stream<String> names() {
        return Stream.of("memory", "tcp", "udp");
    }
}
