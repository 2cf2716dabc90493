package dev.parley.chaos.im;

import java.util.stream.Stream;

/** The transports the fault scenarios run over. */
final class FaultTransports {

    private FaultTransports() {
    }

    /** Every transport a fault proxy carries: each scenario runs over each of them. */
    static Stream<String> names() {
        return Stream.of("tcp", "udp");
    }
}
