package dev.parley.gui;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A conversation this user is a member of, as its window shows it: members, the lines kept so far
 * (at most {@link ChatModel#maxLinesPerConversation()}, the oldest dropped first), the count of
 * lines not seen yet, and where older history begins. Changed only through {@link ChatModel}, on
 * the thread that owns the model (the event-dispatch thread in the application).
 */
public final class Conversation {

    private final long id;
    private final SortedSet<String> members = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    private final List<ChatLine> lines = new ArrayList<>();
    private int unread;
    private boolean olderHistory;
    private long newestSequence;

    Conversation(long id) {
        this.id = id;
    }

    public long id() {
        return id;
    }

    /** The members as last listed by the server, plus anyone heard from since; sorted by name. */
    public SortedSet<String> members() {
        return Collections.unmodifiableSortedSet(members);
    }

    /** The lines kept, oldest first. */
    public List<ChatLine> lines() {
        return Collections.unmodifiableList(lines);
    }

    /** Lines that arrived while this conversation was not the one in view. */
    public int unread() {
        return unread;
    }

    /**
     * True if the server holds lines older than the first one kept, which scrolling up may load
     * ({@link ChatModel#olderLoaded}); false where the server keeps no history.
     */
    public boolean hasOlderHistory() {
        return olderHistory;
    }

    /** The sequence number of the oldest numbered line kept, or 0 if none is numbered. */
    public long oldestSequence() {
        return lines.stream().mapToLong(ChatLine::sequence).filter(sequence -> sequence > 0).findFirst().orElse(0);
    }

    /** The highest sequence number among the lines added at the end so far, or 0. */
    public long newestSequence() {
        return newestSequence;
    }

    /** A short title: the other members' names, or the id while they are not known. */
    public String title(String me) {
        var others = members.stream().filter(member -> !member.equalsIgnoreCase(me)).toList();
        return others.isEmpty() ? "#" + id : String.join(", ", others);
    }

    void replaceMembers(Collection<String> names) {
        members.clear();
        members.addAll(names);
    }

    boolean addMember(String name) {
        return members.add(name);
    }

    /** Adds {@code line} at the end and returns how many of the oldest lines were dropped to keep {@code maxLines}. */
    int append(ChatLine line, int maxLines) {
        if (lines.isEmpty() && line.sequence() > 1) {
            olderHistory = true;
        }
        newestSequence = Math.max(newestSequence, line.sequence());
        lines.add(line);
        int dropped = Math.max(0, lines.size() - maxLines);
        if (dropped > 0) {
            lines.subList(0, dropped).clear();
            olderHistory = olderHistory || line.sequence() > 0;
        }
        return dropped;
    }

    void prepend(List<ChatLine> older, boolean more) {
        lines.addAll(0, older);
        older.forEach(line -> newestSequence = Math.max(newestSequence, line.sequence()));
        olderHistory = more;
    }

    void unread(int count) {
        unread = count;
    }
}
