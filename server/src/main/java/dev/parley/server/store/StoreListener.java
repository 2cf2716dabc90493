package dev.parley.server.store;

import java.util.List;

/**
 * Told by a {@link SharedStore} that something changed, as a hint only: a hint may come late, twice,
 * for nothing, or never (a lost notification, a reconnect to the store). A node therefore reads the
 * store from its cursors after a hint <em>and</em> every sync period; the hint only makes that sooner.
 *
 * <p>A hint may carry what changed ({@link #changesPosted}): a listener may then apply it without
 * reading the feed, if it follows on from the listener's cursor; one that does not (its hint before
 * was lost, or it is one the listener already read) says no more than {@link #conversationChanged}.
 *
 * <p>Called on a thread of the store's, or on the thread that made the change; it must return at
 * once (note the hint and wake a thread of one's own), never call the store, never throw.
 */
public interface StoreListener {

    /** Conversation {@code conversationId}'s feed may have changes after the listener's cursor. */
    void conversationChanged(long conversationId);

    /**
     * Conversation {@code conversationId}'s feed has {@code changes} right after cursor {@code after}:
     * the first at {@code after + 1}, the others each at the cursor after the one before, as
     * {@link SharedStore#changes} reads them (it may have more after them). A hint like the others:
     * it may come late, twice, or never, and hints of one conversation may come out of order. By
     * default it says only that the feed changed ({@link #conversationChanged}).
     *
     * @param changes not empty, in cursor order
     */
    default void changesPosted(long conversationId, long after, List<Change.Posted> changes) {
        conversationChanged(conversationId);
    }

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
