package dev.parley.im;

/** Leave cleanly: the server removes this user from every conversation and from the online list. */
public record Goodbye() implements ImRequest {
}
