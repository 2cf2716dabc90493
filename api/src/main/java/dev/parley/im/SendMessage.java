package dev.parley.im;

import java.util.Objects;

/** Post {@code text} to a conversation the sender is a member of. */
public record SendMessage(long conversationId, String text) implements ImRequest {

    public SendMessage {
        Objects.requireNonNull(text, "text");
    }
}
