package dev.parley.im;

/**
 * Ask for a page of a conversation's messages, by sequence number; the answer is {@link History}.
 * Only a member may ask.
 *
 * @param from  the first number wanted (0 or more), or with {@code older}, the last: {@link Long#MAX_VALUE}
 *              and {@code older} ask for the newest messages
 * @param older true for the messages at and before {@code from}, false for those at and after it
 * @param limit at most this many messages, 1 or more; the server sends at most its own maximum page
 */
public record GetHistory(long conversationId, long from, boolean older, int limit) implements ImRequest {
}
