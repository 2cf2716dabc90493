package dev.parley.im;

import java.util.Objects;

/** Change this client's status (for example "away"); everyone gets the new {@link OnlineUsers}. */
public record StatusChange(String status) implements ImRequest {

    public StatusChange {
        Objects.requireNonNull(status, "status");
    }
}
