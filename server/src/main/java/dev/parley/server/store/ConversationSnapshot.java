package dev.parley.server.store;

import java.util.List;

/**
 * A conversation as it stood at one cursor of its change feed, read at once: where a node starts
 * following it (read {@link SharedStore#changes} after {@code cursor}).
 *
 * @param members      in the order they joined, as given to {@link ChatStore#join}
 * @param lastSequence the number of its newest message, 0 before the first
 * @param cursor       the feed's newest cursor when it was read; every change up to it is reflected here
 */
public record ConversationSnapshot(long conversationId, List<String> members, long lastSequence, long cursor) {

    public ConversationSnapshot {
        members = List.copyOf(members);
    }
}
