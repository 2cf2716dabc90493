package dev.parley.examples.cli;

import dev.parley.transport.Transport;

/** Finds a transport by the name given on the command line. Stateless. */
public final class Transports {

    private Transports() {
    }

    /** The transport called {@code name}, or a usage error naming those available. */
    public static Transport find(String name) throws ExampleException {
        try {
            return Transport.byName(name);
        } catch (IllegalArgumentException e) {
            throw ExampleException.usage(e.getMessage());
        }
    }
}
