package dev.parley.im;

import java.util.Objects;

/**
 * Come online as {@code username} with {@code status}. The server answers with {@link OnlineUsers}
 * to everyone, or an {@link Error} if the name is taken or not valid.
 */
public record Register(String username, String status) implements ImRequest {

    public Register {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(status, "status");
    }
}
