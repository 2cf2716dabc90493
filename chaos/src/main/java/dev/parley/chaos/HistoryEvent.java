package dev.parley.chaos;

import java.util.Objects;

/**
 * One thing that happened to a message in a test run: {@code sender} sent (or tried to send) its
 * message number {@code seq}, the system acknowledged it, or {@code receiver} received it.
 *
 * @param receiver       who received the message; null unless {@code kind} is {@link Kind#RECEIVED}
 * @param conversationId where a received message was posted, when the system numbers messages per
 *                       conversation (an IM server does); 0 otherwise
 * @param position       the system's number for a received message in that conversation; 0 if none
 */
public record HistoryEvent(Kind kind, String receiver, String sender, long seq, long conversationId, long position) {

    /** What happened. */
    public enum Kind {
        /** The sender tried to send; it may or may not have got through. */
        SENT,
        /** The system took the message: from now on it must not be lost. */
        ACKNOWLEDGED,
        /** A receiver got the message. */
        RECEIVED
    }

    public HistoryEvent {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(sender, "sender");
        if ((kind == Kind.RECEIVED) != (receiver != null)) {
            throw new IllegalArgumentException("a receiver is named for RECEIVED events and only for them");
        }
    }

    /** An event of a system that does not number messages itself. */
    public HistoryEvent(Kind kind, String receiver, String sender, long seq) {
        this(kind, receiver, sender, seq, 0, 0);
    }
}
