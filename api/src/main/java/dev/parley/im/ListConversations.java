package dev.parley.im;

/** Ask for every ongoing conversation; the answer is {@link Conversations}. */
public record ListConversations() implements ImRequest {
}
