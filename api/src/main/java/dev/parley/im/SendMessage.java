package dev.parley.im;

import java.util.Objects;

/**
 * Post {@code text} to a conversation the sender is a member of. The server answers with the
 * {@link Message} itself, numbered, once it is stored.
 *
 * @param clientMessageId the sender's id for this message, other than 0, so that a resend (after a
 *                        reconnect, say) is stored once and answered with the first one's number;
 *                        0 for none, each send then being stored anew
 */
public record SendMessage(long conversationId, long clientMessageId, String text) implements ImRequest {

    public SendMessage {
        Objects.requireNonNull(text, "text");
    }
}
