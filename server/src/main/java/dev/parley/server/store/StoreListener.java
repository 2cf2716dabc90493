package dev.parley.server.store;

/**
 * Told by a {@link SharedStore} that something changed, as a hint only: a hint may come late, twice,
 * for nothing, or never (a lost notification, a reconnect to the store). A node therefore reads the
 * store from its cursors after a hint <em>and</em> every sync period; the hint only makes that sooner.
 *
 * <p>Called on a thread of the store's, or on the thread that made the change; it must return at
 * once (note the hint and wake a thread of one's own), never call the store, never throw.
 */
public interface StoreListener {

    /** Conversation {@code conversationId}'s feed may have changes after the listener's cursor. */
    void conversationChanged(long conversationId);

    /** A conversation may have been {@linkplain SharedStore#created created} after the listener's cursor. */
    void conversationCreated(long conversationId);

    /** The online list ({@link SharedStore#presence()}) may have changed. */
    void presenceChanged();

    /**
     * Hints may have been lost (the store's hint connection was lost and is back): any feed may
     * have changed. By default, says so of the created conversations and the online list; a
     * listener following conversations should read all of them too.
     */
    default void hintsMayHaveBeenLost() {
        conversationCreated(0);
        presenceChanged();
    }
}
