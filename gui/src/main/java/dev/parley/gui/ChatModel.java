package dev.parley.gui;

import dev.parley.im.Invitation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the window shows, and nothing about widgets: the connection's state, who is online,
 * pending invitations, the ongoing conversations the server listed, the conversations this user is
 * in with their lines and unread counts. {@link ImSession} feeds it from the server; the widgets
 * read it and listen to it.
 *
 * <p>Not thread-safe: one thread owns it, the event-dispatch thread in the application (ImSession
 * hands every server event there), the test's thread in unit tests. Listeners are called on that
 * thread, synchronously, after the change.
 */
public final class ChatModel {

    /** Lines a conversation keeps by default before dropping its oldest. */
    public static final int DEFAULT_MAX_LINES_PER_CONVERSATION = 5_000;

    /** Told of each change, on the thread that owns the model. Every method has an empty default. */
    public interface Listener {
        default void connectionChanged() {
        }

        default void buddiesChanged() {
        }

        default void invitationsChanged() {
        }

        /** The listing of ongoing conversations changed. */
        default void ongoingChanged() {
        }

        default void conversationOpened(Conversation conversation) {
        }

        default void conversationClosed(Conversation conversation) {
        }

        /** Lines were added at the end, from index {@code firstNew} of {@link Conversation#lines()} on. */
        default void linesAdded(Conversation conversation, int firstNew) {
        }

        /** The first {@code count} lines were dropped (past the limit on lines kept). */
        default void linesDropped(Conversation conversation, int count) {
        }

        /** {@code count} older lines were put before the first (history paging). */
        default void linesPrepended(Conversation conversation, int count) {
        }

        default void unreadChanged(Conversation conversation) {
        }

        default void membersChanged(Conversation conversation) {
        }

        /** The server refused something, or a request could not be sent; {@code text} says what, in words. */
        default void problem(String text) {
        }

        /** A message this user wrote to {@code conversation} was not accepted: {@code text} is what they wrote, to give back. */
        default void notSent(Conversation conversation, String text) {
        }
    }

    private final int maxLinesPerConversation;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final SortedMap<String, String> online = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private final List<Invitation> invitations = new ArrayList<>();
    private final Map<Long, List<String>> ongoing = new TreeMap<>();
    private final Map<Long, Conversation> conversations = new LinkedHashMap<>();
    private ConnectionState state = ConnectionState.DISCONNECTED;
    private String stateDetail = "";
    private String me = "";
    private long inView = -1;

    /** A model whose conversations keep {@value #DEFAULT_MAX_LINES_PER_CONVERSATION} lines each. */
    public ChatModel() {
        this(DEFAULT_MAX_LINES_PER_CONVERSATION);
    }

    public ChatModel(int maxLinesPerConversation) {
        if (maxLinesPerConversation < 1) {
            throw new IllegalArgumentException("maxLinesPerConversation must be at least 1, not " + maxLinesPerConversation);
        }
        this.maxLinesPerConversation = maxLinesPerConversation;
    }

    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public int maxLinesPerConversation() {
        return maxLinesPerConversation;
    }

    // ---- what the window reads ----

    public ConnectionState state() {
        return state;
    }

    /** Why the state is what it is, in words ("connection refused"), or empty. */
    public String stateDetail() {
        return stateDetail;
    }

    /** This user's name, once signed in. */
    public String me() {
        return me;
    }

    /** This user's status as the server last announced it. */
    public String myStatus() {
        return online.getOrDefault(me, "");
    }

    /** Everyone online but this user, sorted by name (ignoring case). */
    public List<Buddy> buddies() {
        var buddies = new ArrayList<Buddy>(online.size());
        online.forEach((name, status) -> {
            if (!name.equalsIgnoreCase(me)) {
                buddies.add(new Buddy(name, status));
            }
        });
        return buddies;
    }

    /** Invitations neither accepted nor dismissed yet, oldest first. */
    public List<Invitation> invitations() {
        return List.copyOf(invitations);
    }

    /** The ongoing conversations and their members, as the server last listed them, by id. */
    public Map<Long, List<String>> ongoing() {
        return Collections.unmodifiableMap(ongoing);
    }

    /** The conversations this user is in, in the order they were opened. */
    public List<Conversation> conversations() {
        return List.copyOf(conversations.values());
    }

    /** The conversation {@code id} if this user is in it, else null. */
    public Conversation conversation(long id) {
        return conversations.get(id);
    }

    /** The sum of every conversation's unread count. */
    public int totalUnread() {
        return conversations.values().stream().mapToInt(Conversation::unread).sum();
    }

    // ---- what the session feeds in ----

    public void connecting(String detail) {
        state(ConnectionState.CONNECTING, detail);
    }

    /** Signed in as {@code username}. */
    public void connected(String username) {
        me = Objects.requireNonNull(username, "username");
        state(ConnectionState.CONNECTED, "");
    }

    /** The connection dropped and is being brought back: conversations stay open. */
    public void reconnecting(String detail) {
        state(ConnectionState.RECONNECTING, detail);
    }

    /** The connection is gone for good; what was said stays readable. */
    public void disconnected(String detail) {
        state(ConnectionState.DISCONNECTED, detail);
    }

    /** A full snapshot of who is online: replaces the list. */
    public void onlineUsers(Map<String, String> users) {
        online.clear();
        online.putAll(users);
        listeners.forEach(Listener::buddiesChanged);
    }

    /** Users who came online or changed status, and users who went offline. */
    public void onlineChanged(Map<String, String> cameOnline, Set<String> wentOffline) {
        online.putAll(cameOnline);
        online.keySet().removeAll(wentOffline);
        listeners.forEach(Listener::buddiesChanged);
    }

    /**
     * An invitation arrived. The server sends one to the inviter too: this user's own invitation
     * opens the conversation at once; anyone else's waits to be accepted or dismissed.
     */
    public void invited(Invitation invitation) {
        if (invitation.inviter().equalsIgnoreCase(me)) {
            joined(invitation.conversationId());
            return;
        }
        if (conversations.containsKey(invitation.conversationId())
                || invitations.stream().anyMatch(i -> i.conversationId() == invitation.conversationId())) {
            return;
        }
        invitations.add(invitation);
        listeners.forEach(Listener::invitationsChanged);
    }

    /** This user joined conversation {@code id}, accepting its invitation if there was one. */
    public Conversation joined(long id) {
        dropInvitation(id);
        var conversation = open(id);
        if (conversation.addMember(me)) {
            listeners.forEach(listener -> listener.membersChanged(conversation));
        }
        return conversation;
    }

    /** This user turned down the invitation to {@code id}. */
    public void dismissed(long id) {
        dropInvitation(id);
    }

    /** This user left conversation {@code id}. */
    public void left(long id) {
        var conversation = conversations.remove(id);
        if (conversation != null) {
            if (inView == id) {
                inView = -1;
            }
            listeners.forEach(listener -> listener.conversationClosed(conversation));
        }
    }

    /**
     * A message in a conversation this user is in; counted as unread unless that conversation is in
     * view. A numbered line at or below the newest number kept is one already shown, and ignored.
     */
    public void message(long conversationId, ChatLine line) {
        var conversation = open(conversationId);
        if (line.sequence() > 0 && line.sequence() <= conversation.newestSequence()) {
            return;
        }
        int dropped = conversation.append(line, maxLinesPerConversation);
        if (dropped > 0) {
            listeners.forEach(listener -> listener.linesDropped(conversation, dropped));
        }
        int added = conversation.lines().size() - 1;
        listeners.forEach(listener -> listener.linesAdded(conversation, added));
        if (conversation.addMember(line.sender())) {
            listeners.forEach(listener -> listener.membersChanged(conversation));
        }
        if (conversationId != inView && !line.own()) {
            conversation.unread(conversation.unread() + 1);
            listeners.forEach(listener -> listener.unreadChanged(conversation));
        }
    }

    /**
     * Messages {@code fromSequence} to {@code toSequence} of a conversation are lost (the server no
     * longer keeps them): a notice line says so, stamped {@code at}.
     */
    public void gap(long conversationId, long fromSequence, long toSequence, Instant at) {
        String which = fromSequence == toSequence ? "Message " + fromSequence + " is"
                : "Messages " + fromSequence + " to " + toSequence + " are";
        message(conversationId, ChatLine.notice(which + " no longer kept by the server", at));
    }

    /**
     * Older lines for a conversation, from history paging (or its newest page, on joining):
     * {@code older}, oldest first, goes before the first line kept, less the lines not older than
     * that one (they arrived live while the page was on its way); {@code more} says whether still
     * older ones exist.
     */
    public void olderLoaded(long conversationId, List<ChatLine> older, boolean more) {
        var conversation = conversations.get(conversationId);
        if (conversation != null) {
            // Lines that arrived live while the page was on its way are shown already.
            long oldest = conversation.oldestSequence();
            var missing = older.stream().filter(line -> oldest == 0 || line.sequence() < oldest).toList();
            conversation.prepend(missing, more);
            listeners.forEach(listener -> listener.linesPrepended(conversation, missing.size()));
        }
    }

    /** The server's listing of ongoing conversations; the members of those this user is in are updated too. */
    public void ongoing(Map<Long, List<String>> listing) {
        ongoing.clear();
        ongoing.putAll(listing);
        listing.forEach((id, members) -> {
            var conversation = conversations.get(id);
            var listed = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            listed.addAll(members);
            if (conversation != null && !conversation.members().equals(listed)) {
                conversation.replaceMembers(members);
                listeners.forEach(listener -> listener.membersChanged(conversation));
            }
        });
        listeners.forEach(Listener::ongoingChanged);
    }

    /** Conversation {@code id} is the one in view (or none, with -1): its unread count drops to 0. */
    public void inView(long id) {
        inView = id;
        var conversation = conversations.get(id);
        if (conversation != null && conversation.unread() != 0) {
            conversation.unread(0);
            listeners.forEach(listener -> listener.unreadChanged(conversation));
        }
    }

    /** Something went wrong, said in words. */
    public void problem(String text) {
        listeners.forEach(listener -> listener.problem(text));
    }

    /**
     * A message this user wrote to conversation {@code id} was refused or could not be sent; what
     * they wrote goes back to them (the reason came as a {@linkplain #problem problem}). Nothing if
     * the conversation is no longer open.
     */
    public void notSent(long id, String text) {
        var conversation = conversations.get(id);
        if (conversation != null) {
            listeners.forEach(listener -> listener.notSent(conversation, text));
        }
    }

    private void state(ConnectionState newState, String detail) {
        state = newState;
        stateDetail = Objects.requireNonNull(detail, "detail");
        listeners.forEach(Listener::connectionChanged);
    }

    private Conversation open(long id) {
        var existing = conversations.get(id);
        if (existing != null) {
            return existing;
        }
        var conversation = new Conversation(id);
        conversations.put(id, conversation);
        var listed = ongoing.get(id);
        if (listed != null) {
            conversation.replaceMembers(listed);
        }
        listeners.forEach(listener -> listener.conversationOpened(conversation));
        return conversation;
    }

    private void dropInvitation(long id) {
        if (invitations.removeIf(invitation -> invitation.conversationId() == id)) {
            listeners.forEach(Listener::invitationsChanged);
        }
    }
}
