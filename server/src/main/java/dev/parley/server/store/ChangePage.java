package dev.parley.server.store;

import java.util.List;

/**
 * Changes of one feed after a cursor, read by {@link SharedStore#changes} or {@link SharedStore#created}.
 *
 * @param changes     in ascending cursor order, at most the limit asked for
 * @param firstCursor the oldest cursor the feed still keeps; a reader whose cursor is below
 *                    {@code firstCursor - 1} missed changes that were trimmed, and must start again from
 *                    a {@link SharedStore#snapshot}
 * @param lastCursor  the newest cursor of the feed (0 before its first change): a reader is up to date
 *                    once its cursor reaches it
 * @param ended       the conversation ended (or never existed): its feed is gone and {@code changes} is empty
 */
public record ChangePage(List<Change> changes, long firstCursor, long lastCursor, boolean ended) {

    public ChangePage {
        changes = List.copyOf(changes);
    }

    /** The page of a conversation that ended or never was. */
    public static ChangePage endedFeed() {
        return new ChangePage(List.of(), 1, 0, true);
    }

    /** True if changes between {@code after} and this page were trimmed before they could be read. */
    public boolean missedAfter(long after) {
        return !ended && after + 1 < firstCursor && lastCursor >= firstCursor;
    }
}
