package dev.parley.server.store;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ChatStore} that several server nodes use at once, so that together they act as one
 * server: on top of what one node needs, it keeps a <b>change feed</b> per conversation (so that each
 * node sees every message and membership change, in the store's one order), node <b>leases</b> (so
 * that a node that stops renewing is known dead) and <b>presence</b> (who is online on which node,
 * so that everyone sees one online list).
 *
 * <p><b>Feeds.</b> Every write to a conversation (a join, a leave, an append that is not a
 * duplicate) records a {@link Change} in that conversation's feed, atomically with the write and
 * under a cursor greater than every earlier one there; and {@link #create} records a
 * {@link Change.Created} in the feed of created conversations, where it is visible in id order (a
 * conversation never becomes visible after one with a greater id). A feed is durable as the store
 * is; old changes may be trimmed, as old messages are (see {@link ChangePage#firstCursor()}). A
 * {@link StoreListener} is told, as a hint that may be lost, which feed changed (and, where the store
 * can, the messages an append posted: {@link StoreListener#changesPosted}): nodes read from their
 * cursor after a hint that does not follow on from it and every sync period, so that a lost hint
 * costs time, never a change.
 *
 * <p><b>Leases and presence.</b> A node {@linkplain #renewLease renews} its lease more often than it
 * expires; a node whose lease expired is dead, and the store stops counting its users as online:
 * {@link #presence()} leaves them out (and may delete them). Presence entries are keyed by user, one
 * per user: a user who registers on another node replaces the entry of the node they left. Leases
 * and presence follow the store's clock (its server's, for a remote store), not the nodes'.
 *
 * <p><b>Claims.</b> A presence entry also claims its user's look-alike (the server's folded form of
 * the name, under which {@code alice} and {@code aIice} are one). A claim counts while its user's
 * entry does: it goes with the entry, whether removed or left out because its node died. A put is
 * the registration's decision, made atomically in the store: it is refused, and writes nothing, if
 * another user's claim on the look-alike counts or the user is online, connected, on another live
 * node; so that of two nodes registering look-alikes (or one name) at once, exactly one gets in.
 *
 * <p>Thread-safe: any thread may call any method; the methods here block until done and return once
 * durable, except that leases and presence may be kept with less durability than messages (they
 * describe connections, which a restart of the store ends anyway).
 */
public interface SharedStore extends ChatStore {

    /**
     * The cursor a conversation's feed starts from when {@link #create} returns: every change to it
     * has a greater one, so the creator's node reads them all from here, whatever other nodes did in
     * it meanwhile.
     */
    long NEW_FEED_CURSOR = 0;

    /**
     * Conversation {@code conversationId}'s changes with a cursor above {@code after}, oldest first,
     * at most {@code limit} (and at most the store's own page bound).
     */
    ChangePage changes(long conversationId, long after, int limit) throws StoreException;

    /**
     * The changes of several conversations at once, each as {@link #changes(long, long, int)} gives
     * them after its own cursor ({@code after}: conversation to cursor); in one round trip where the
     * store can (this default reads them one by one). Returns conversation to page, for each asked.
     */
    default Map<Long, ChangePage> changes(Map<Long, Long> after, int limit) throws StoreException {
        Map<Long, ChangePage> pages = new LinkedHashMap<>();
        for (var cursor : after.entrySet()) {
            pages.put(cursor.getKey(), changes(cursor.getKey(), cursor.getValue(), limit));
        }
        return pages;
    }

    /**
     * The {@link Change.Created} changes of conversations created with an id above {@code after}
     * and not ended since, oldest first, at most {@code limit}.
     */
    ChangePage created(long after, int limit) throws StoreException;

    /**
     * Conversation {@code conversationId}'s members and last message number at its feed's newest
     * cursor, read at once.
     *
     * @throws StoreException if it does not exist (or ended)
     */
    ConversationSnapshot snapshot(long conversationId) throws StoreException;

    /**
     * The ids of the conversations {@code user} (as given to {@link ChatStore#join}) is a member of,
     * ascending, at a cost that grows with the conversations the user is (or was lately) in, not with
     * all the store's. A store that keeps a conversation's members and a user's index of
     * conversations apart (in different slots of a Redis Cluster, say) keeps the index a superset:
     * it lists a conversation before the user joins it (or creates it) and unlists it after the user
     * left, so a node dying in between leaves at worst an entry too many, which this method confirms
     * against the members and leaves out; never an entry too few.
     */
    Set<Long> conversationsOf(String user) throws StoreException;

    /** Calls {@code listener} with hints from now on, until the returned handle is closed. */
    Subscription subscribe(StoreListener listener);

    /**
     * Claims or renews node {@code nodeId}'s lease until {@code lease} from now, on the store's clock.
     *
     * @return false if the node had no live lease (it is new, or its lease expired and it counted as
     * dead): the store may have dropped its presence entries, which the node must then put again
     */
    boolean renewLease(String nodeId, Duration lease) throws StoreException;

    /** Gives up node {@code nodeId}'s lease at once: it is dead from now on, its users offline. */
    void releaseLease(String nodeId) throws StoreException;

    /** The nodes whose lease has not expired. */
    Set<String> liveNodes() throws StoreException;

    /**
     * Records that user {@code key} is online as {@code presence} says, replacing whatever entry the
     * user had, and with it claims {@code lookAlike} for the user; unless, checked at once with the
     * write, another user online on a live node claims {@code lookAlike}, or (when not
     * {@code takeOver}) another live node holds the user connected (not
     * {@linkplain Presence#detached() detached}). Then it writes nothing. An entry of
     * {@code presence}'s own node never stops it, so a node re-putting its user's entry (a new status,
     * a dropped connection) is refused only if another node took the user over, or their look-alike,
     * while this node counted as dead.
     *
     * @param lookAlike the user's look-alike, the same for every entry of one key
     * @param takeOver  whether the user may be taken over from another node that holds them connected
     *                  (a client resuming there, whose old connection that node has not seen drop)
     * @return empty if put; else the live entry that stopped it: the user's own, held by another node
     *         (the name is taken), or that of the other user who claims {@code lookAlike}
     */
    Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
            throws StoreException;

    /**
     * Removes user {@code key}'s entry if node {@code nodeId} holds it; an entry another node put
     * since (the user moved) stays.
     */
    void removePresence(String key, String nodeId) throws StoreException;

    /** Every user online on a live node, by key. */
    Map<String, Presence> presence() throws StoreException;

    /**
     * The entries of those of users {@code keys} who are online on a live node, by key: what
     * {@link #presence()} holds for them, read without reading everyone's. This default filters
     * {@link #presence()}; a remote store reads just these.
     */
    default Map<String, Presence> presence(Collection<String> keys) throws StoreException {
        Map<String, Presence> all = presence();
        Map<String, Presence> some = new HashMap<>();
        for (String key : keys) {
            Presence entry = all.get(key);
            if (entry != null) {
                some.put(key, entry);
            }
        }
        return some;
    }

    /** Hints to a {@link StoreListener} until closed. */
    interface Subscription extends AutoCloseable {

        /** Stops the hints; idempotent. */
        @Override
        void close();
    }
}
