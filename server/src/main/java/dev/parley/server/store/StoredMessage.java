package dev.parley.server.store;

import java.util.Objects;

/**
 * One message of a conversation's log.
 *
 * @param sequence        its number in the conversation, dense from 1
 * @param timestampMillis when the store took it, in milliseconds since the epoch
 * @param clientMessageId the sender's id for it, or 0 if it gave none
 */
public record StoredMessage(long conversationId, long sequence, long timestampMillis, String sender,
                            long clientMessageId, String text) {

    public StoredMessage {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(text, "text");
    }
}
