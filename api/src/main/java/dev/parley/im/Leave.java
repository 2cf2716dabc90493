package dev.parley.im;

/** Leave a conversation; when its last member leaves, it ends. */
public record Leave(long conversationId) implements ImRequest {
}
