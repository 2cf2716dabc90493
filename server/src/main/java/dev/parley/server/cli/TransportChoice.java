package dev.parley.server.cli;

import dev.parley.transport.Transport;

import java.io.PrintWriter;

/** Finds the transport a command was told to use, or says in one line why it cannot. Stateless. */
final class TransportChoice {

    private TransportChoice() {
    }

    /** The transport called {@code name}, or null after printing to {@code err} which ones there are. */
    static Transport find(String name, PrintWriter err) {
        try {
            return Transport.byName(name);
        } catch (IllegalArgumentException e) {
            err.println("parley: " + e.getMessage());
            err.flush();
            return null;
        }
    }
}
