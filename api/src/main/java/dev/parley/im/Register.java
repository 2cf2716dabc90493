package dev.parley.im;

import java.util.Map;
import java.util.Objects;

/**
 * Come online as {@code username} with {@code status}, proving the name with {@code password} when
 * the server keeps accounts (empty when there is none; a server without accounts ignores it),
 * speaking {@code protocolVersion} of the IM protocol ({@link ImProtocol#VERSION} for this one). The
 * server answers with {@link OnlineUsers} to everyone, or an {@link Error} if the name is taken or
 * not valid, the password is wrong, or the server speaks another version.
 *
 * <p>A client coming back after its connection dropped names, in {@code resumeFrom}, the last
 * sequence number it delivered of each conversation: if the server still keeps its place (within
 * its resume window), it sends every message after those, in order, before any new one; and, for
 * each other conversation the user is in, every message since the user joined it.
 *
 * <p>{@link #toString()} never shows the password. The password crosses the wire as it is: use
 * an encrypted transport when it is not loopback.
 */
public record Register(String username, String status, String password, int protocolVersion,
                       Map<Long, Long> resumeFrom) implements ImRequest {

    public Register {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(password, "password");
        resumeFrom = Map.copyOf(resumeFrom);
    }

    /** Come online with {@code password}, speaking this version of the protocol. */
    public Register(String username, String status, String password) {
        this(username, status, password, ImProtocol.VERSION, Map.of());
    }

    /** Come online without a password, as on a server without accounts. */
    public Register(String username, String status) {
        this(username, status, "");
    }

    /** Names and status only: the password is shown as {@code (hidden)}, or {@code (none)} when empty. */
    @Override
    public String toString() {
        return "Register[username=" + username + ", status=" + status + ", password="
                + (password.isEmpty() ? "(none)" : "(hidden)") + ", protocolVersion=" + protocolVersion + ", resumeFrom=" + resumeFrom + "]";
    }
}
