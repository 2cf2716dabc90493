package dev.parley.server.store;

import java.util.List;

/**
 * A page of a conversation's log and what the log keeps.
 *
 * @param messages      in ascending sequence order
 * @param firstSequence the oldest number still kept (older ones were trimmed by retention); one
 *                      more than {@code lastSequence} when nothing is kept
 * @param lastSequence  the newest number given, 0 before the first message
 */
public record HistoryPage(List<StoredMessage> messages, long firstSequence, long lastSequence) {

    public HistoryPage {
        messages = List.copyOf(messages);
    }
}
