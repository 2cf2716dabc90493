package dev.parley.im;

import java.util.Objects;

/** {@code sender} said {@code text} in a conversation; every member gets it, in the same order. */
public record Message(long conversationId, String sender, String text) implements ImEvent {

    public Message {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
    }
}
