package dev.parley.server;

import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ConversationSnapshot;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreListener;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * A {@link SharedStore} whose every hint is lost, as when a notification is dropped or a node's
 * subscription was not restored after a reconnect: nodes on it must get everything from their
 * periodic reads alone. Everything else is the wrapped store's.
 */
final class HintlessStore extends ForwardingChatStore implements SharedStore {

    private final SharedStore store;

    HintlessStore(SharedStore store) {
        super(store);
        this.store = store;
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return () -> {
        };
    }

    @Override
    public ChangePage changes(long conversationId, long after, int limit) throws StoreException {
        return store.changes(conversationId, after, limit);
    }

    @Override
    public ChangePage created(long after, int limit) throws StoreException {
        return store.created(after, limit);
    }

    @Override
    public ConversationSnapshot snapshot(long conversationId) throws StoreException {
        return store.snapshot(conversationId);
    }

    @Override
    public Set<Long> conversationsOf(String user) throws StoreException {
        return store.conversationsOf(user);
    }

    @Override
    public boolean renewLease(String nodeId, Duration lease) throws StoreException {
        return store.renewLease(nodeId, lease);
    }

    @Override
    public void releaseLease(String nodeId) throws StoreException {
        store.releaseLease(nodeId);
    }

    @Override
    public Set<String> liveNodes() throws StoreException {
        return store.liveNodes();
    }

    @Override
    public void putPresence(String key, Presence presence) throws StoreException {
        store.putPresence(key, presence);
    }

    @Override
    public void removePresence(String key, String nodeId) throws StoreException {
        store.removePresence(key, nodeId);
    }

    @Override
    public Map<String, Presence> presence() throws StoreException {
        return store.presence();
    }
}
