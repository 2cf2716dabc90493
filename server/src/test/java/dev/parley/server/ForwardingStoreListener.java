package dev.parley.server;

import dev.parley.server.store.Change;
import dev.parley.server.store.StoreListener;

import java.util.List;

/**
 * A {@link StoreListener} passing every hint to another, the defaults included; a test store
 * overrides what it wants to disturb (as {@link ForwardingSharedStore} does for the store).
 */
class ForwardingStoreListener implements StoreListener {

    protected final StoreListener listener;

    ForwardingStoreListener(StoreListener listener) {
        this.listener = listener;
    }

    @Override
    public void conversationChanged(long conversationId) {
        listener.conversationChanged(conversationId);
    }

    @Override
    public void changesPosted(long conversationId, long after, List<Change.Posted> changes) {
        listener.changesPosted(conversationId, after, changes);
    }

    @Override
    public void conversationCreated(long conversationId) {
        listener.conversationCreated(conversationId);
    }

    @Override
    public void presenceChanged() {
        listener.presenceChanged();
    }

    @Override
    public void hintsMayHaveBeenLost() {
        listener.hintsMayHaveBeenLost();
    }
}
