package dev.parley.server.cli;

import dev.parley.transport.Transport;
import dev.parley.transport.TransportOptions;
import dev.parley.transport.tcp.TcpTls;
import dev.parley.transport.tcp.TcpTransport;

import java.io.IOException;
import java.io.PrintWriter;

/**
 * Finds the transport a command was told to use, or says in one line, after the command's name
 * ({@code parley server: ...}), why it cannot. Stateless.
 */
final class TransportChoice {

    private TransportChoice() {
    }

    /** Reads the TLS certificates or keys a command was given files for. */
    @FunctionalInterface
    interface TlsFiles {
        TcpTls read() throws IOException;
    }

    /**
     * The transport called {@code name}, or null after printing to {@code err}, after
     * {@code command} (as {@code "parley demo"}), which ones there are.
     */
    static Transport find(String command, String name, PrintWriter err) {
        return find(command, name, TransportOptions.defaults(), err);
    }

    private static Transport find(String command, String name, TransportOptions options, PrintWriter err) {
        try {
            return Transport.byName(name, options);
        } catch (IllegalArgumentException e) {
            err.println(command + ": " + e.getMessage());
            err.flush();
            return null;
        }
    }

    /**
     * The transport called {@code name} with {@code options}, and with the TLS that {@code tls} reads unless
     * {@code tls} is null; or null after printing to {@code err}, after {@code command}, in one line why not: an unknown transport, TLS
     * asked of a transport other than TCP, or a file that cannot be used.
     */
    static Transport find(String command, String name, TransportOptions options, TlsFiles tls, PrintWriter err) {
        Transport transport = find(command, name, options, err);
        if (transport == null || tls == null) {
            return transport;
        }
        if (!transport.name().equals(TcpTransport.NAME)) {
            err.println(command + ": TLS works over --transport tcp only, not " + transport.name()
                    + "; SECURITY.md says what protects " + transport.name());
        } else {
            try {
                return TcpTransport.create(transport.options(), tls.read());
            } catch (IOException e) {
                err.println(command + ": " + e.getMessage());
            }
        }
        err.flush();
        return null;
    }
}
