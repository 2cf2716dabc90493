package dev.parley.chaos;

/**
 * Something the {@link HistoryChecker} found wrong with one message at one receiver.
 *
 * @param receiver who should have received it (or received it wrongly)
 * @param sender   who sent it
 * @param seq      the sender's number for it
 */
public record Anomaly(Kind kind, String receiver, String sender, long seq) {

    /** The kinds of wrong, as Jepsen's queue checker names them. */
    public enum Kind {
        /** Acknowledged, yet never received. */
        LOST,
        /** Received more than once. */
        DUPLICATED,
        /** Received after a later message of the same sender. */
        REORDERED,
        /** Received, yet never sent. */
        UNEXPECTED,
        /** Received under a conversation's number that another receiver saw on another message. */
        DIVERGED,
        /** Received under a conversation's number that is not the one after the receiver's last there. */
        GAP,
        /** Received under a second number of its conversation: stored twice. */
        STORED_TWICE
    }

    @Override
    public String toString() {
        return kind + " " + sender + "#" + seq + " at " + receiver;
    }
}
