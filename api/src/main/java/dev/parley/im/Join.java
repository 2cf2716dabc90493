package dev.parley.im;

/** Join a conversation; from now on its {@link Message}s arrive. Joining twice is harmless. */
public record Join(long conversationId) implements ImRequest {
}
