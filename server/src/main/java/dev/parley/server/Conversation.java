package dev.parley.server;

import dev.parley.im.Message;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One ongoing conversation as the server sees it: its members (online or not) in the order they
 * joined, and the messages stored but not yet sent to them, which wait until every number before
 * theirs has been sent, so that members get them in sequence order whatever order the store
 * acknowledged them in. Guarded by the server's lock, like {@link Session}.
 */
final class Conversation {

    final long id;
    /** Members by {@link Rules#key}, each with the name they registered under. */
    final Map<String, String> members = new LinkedHashMap<>();
    /**
     * Members by {@link Rules#key}, each with the number of the last message sent before they
     * joined (since this server started): a resume that does not name the conversation starts after it.
     */
    final Map<String, Long> joinedAfter = new HashMap<>();
    private final NavigableMap<Long, Message> stored = new TreeMap<>();
    private long nextToSend;
    /**
     * True after an append failed: it may have been stored all the same (a store that lost its
     * connection cannot tell), taking a number whose message will never be handed to the server.
     */
    private boolean appendFailed;
    /** On a store shared by several nodes: the cursor of its change feed up to which this node applied changes. */
    long cursor;

    /** A conversation whose messages up to {@code lastSequence} were sent already. */
    Conversation(long id, long lastSequence) {
        this.id = id;
        this.nextToSend = lastSequence + 1;
    }

    List<String> memberNames() {
        return List.copyOf(members.values());
    }

    /** The number of the last message sent to members. */
    long lastSent() {
        return nextToSend - 1;
    }

    /** Notes that an append to this conversation failed, so that a gap it may leave is looked for. */
    void appendFailed() {
        appendFailed = true;
    }

    /**
     * The first number messages wait for, if that may be a message stored by a failed append (so the
     * server should read it from the store), else 0.
     */
    long gapToFill() {
        if (!appendFailed) {
            return 0;
        }
        if (stored.isEmpty()) {
            appendFailed = false;
            return 0;
        }
        return nextToSend;
    }

    /** On a store shared by several nodes: notes that messages up to {@code sequence} were sent to members. */
    void sentUpTo(long sequence) {
        nextToSend = sequence + 1;
    }

    /** Takes {@code message}, just stored, and returns those now due to members, in sequence order. */
    List<Message> due(Message message) {
        if (message.sequence() >= nextToSend) {
            stored.put(message.sequence(), message);
        }
        List<Message> due = new ArrayList<>();
        while (!stored.isEmpty() && stored.firstKey() == nextToSend) {
            due.add(stored.pollFirstEntry().getValue());
            nextToSend++;
        }
        return due;
    }
}
