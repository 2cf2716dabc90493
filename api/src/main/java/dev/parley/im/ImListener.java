package dev.parley.im;

import dev.parley.transport.ConnectionClosedException;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an {@link ImClient} hears from the server. Every method has an empty default, so implement
 * only what you need. Called one event at a time, in the order the server sent them, on the
 * thread that delivers the connection's messages: don't block here for long, and never wait for
 * a further event from inside a callback.
 */
public interface ImListener {

    /**
     * Everyone online, with each user's status: a full snapshot that replaces any view kept so far.
     * Sent once on registering (this user included), and periodically.
     */
    default void onOnlineUsers(Map<String, String> users) {
    }

    /**
     * What changed since the last snapshot or change: {@code online} came online or changed status
     * (each with its status now), {@code offline} went offline. The server coalesces changes made
     * within a short window into one call, and may restate a user's current state, so applying a
     * change to a view that already holds it changes nothing (see {@link OnlineUsersChanged#applyTo}).
     */
    default void onOnlineUsersChanged(Map<String, String> online, Set<String> offline) {
    }

    /** You were invited to a conversation (also sent to the inviter). */
    default void onInvitation(Invitation invitation) {
    }

    /** A message in a conversation you are a member of, yours included. */
    default void onMessage(Message message) {
    }

    /** A page of a conversation's history, answering {@link ImClient#history}. */
    default void onHistory(History history) {
    }

    /** The ongoing conversations and their members, answering {@link ImClient#list()}. */
    default void onConversations(Map<Long, List<String>> conversations) {
    }

    /** The server refused a request. */
    default void onError(Error error) {
    }

    /**
     * The connection dropped and the client, given a {@link ReconnectPolicy}, is trying to get back;
     * {@link #onReconnected()} or {@link #onDisconnected} follows.
     */
    default void onReconnecting(ConnectionClosedException cause) {
    }

    /**
     * The client is back, registered again under its name; messages it missed follow, in order,
     * then new ones, and its sends not yet acknowledged have been sent again.
     */
    default void onReconnected() {
    }

    /**
     * Messages {@code fromSequence} to {@code toSequence} of a conversation can no longer be had:
     * the server trimmed them from its history before this client could fetch them.
     */
    default void onGap(long conversationId, long fromSequence, long toSequence) {
    }

    /**
     * The connection ended for good; {@code cause} says how (a graceful close is a cause too). With a
     * {@link ReconnectPolicy}, only once the client gave up getting back, or was closed.
     */
    default void onDisconnected(ConnectionClosedException cause) {
    }
}
