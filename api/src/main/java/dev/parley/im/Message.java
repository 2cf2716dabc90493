package dev.parley.im;

import java.util.Objects;

/**
 * {@code sender} said {@code text} in a conversation; every member gets it, in sequence order. The
 * sender's own copy is the acknowledgement: the server sends it once the message is stored.
 *
 * @param sequence        its number in the conversation, dense from 1: every member sees the same
 *                        number for the same message
 * @param timestampMillis when the server stored it, in milliseconds since the epoch
 * @param clientMessageId the id the sender gave it in {@link SendMessage}, or 0
 */
public record Message(long conversationId, long sequence, long timestampMillis, String sender, long clientMessageId,
                      String text) implements ImEvent {

    public Message {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
    }
}
