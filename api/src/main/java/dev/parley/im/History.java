package dev.parley.im;

import java.util.List;

/**
 * The answer to {@link GetHistory}: messages in ascending sequence order, and which numbers the
 * server still keeps. Asking for numbers below {@code firstSequence} (trimmed by the server's
 * retention) gets the page from {@code firstSequence} on: a client tells what is gone from it.
 *
 * @param firstSequence the oldest number kept; {@code lastSequence + 1} when none is
 * @param lastSequence  the newest number given in the conversation, 0 before the first message
 */
public record History(long conversationId, List<Message> messages, long firstSequence, long lastSequence)
        implements ImEvent {

    public History {
        messages = List.copyOf(messages);
    }
}
