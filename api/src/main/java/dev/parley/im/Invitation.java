package dev.parley.im;

import java.util.Objects;

/** {@code inviter} created conversation {@code conversationId} with you in it; {@link Join} to take part. */
public record Invitation(long conversationId, String inviter) implements ImEvent {

    public Invitation {
        Objects.requireNonNull(inviter, "inviter");
    }
}
