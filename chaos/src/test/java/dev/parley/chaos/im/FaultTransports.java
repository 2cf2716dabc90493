package dev.parley.chaos.im;

import java.util.stream.Stream;

/** The transports the fault scenarios run over. */
final class FaultTransports {

    private FaultTransports() {
    }

    /** Add "udp" here once the UDP transport is merged, and every scenario runs over it too. */
    static Stream<String> names() {
        return Stream.of("tcp", "udp");
    }
}
