package dev.parley.gui;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What the sign-in dialog asks for.
 *
 * @param server    {@code host:port}
 * @param transport "tcp" or "udp"
 * @param tlsTrust  PEM certificates to trust for TLS over TCP, or null for no TLS
 * @param password  empty where the server keeps no accounts
 */
public record SignIn(String server, String transport, Path tlsTrust, String user, String password, String status) {

    public SignIn {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(status, "status");
    }
}
