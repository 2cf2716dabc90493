package dev.parley.im;

import java.util.Objects;

/**
 * Come online as {@code username} with {@code status}, proving the name with {@code password} when
 * the server keeps accounts (empty when there is none; a server without accounts ignores it). The
 * server answers with {@link OnlineUsers} to everyone, or an {@link Error} if the name is taken or
 * not valid, or the password is wrong.
 *
 * <p>{@link #toString()} never shows the password. The password crosses the wire as it is: use
 * an encrypted transport when it is not loopback.
 */
public record Register(String username, String status, String password) implements ImRequest {

    public Register {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(password, "password");
    }

    /** Come online without a password, as on a server without accounts. */
    public Register(String username, String status) {
        this(username, status, "");
    }

    /** Names and status only: the password is shown as {@code (hidden)}, or {@code (none)} when empty. */
    @Override
    public String toString() {
        return "Register[username=" + username + ", status=" + status + ", password="
                + (password.isEmpty() ? "(none)" : "(hidden)") + "]";
    }
}
