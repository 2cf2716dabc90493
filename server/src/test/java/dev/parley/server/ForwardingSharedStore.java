package dev.parley.server;

import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ConversationSnapshot;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreListener;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** A {@link SharedStore} passing every call to another; a test overrides what it wants to disturb. */
class ForwardingSharedStore extends ForwardingStore implements SharedStore {

    protected final SharedStore shared;

    ForwardingSharedStore(SharedStore store) {
        super(store);
        this.shared = store;
    }

    @Override
    public ChangePage changes(long conversationId, long after, int limit) throws StoreException {
        return shared.changes(conversationId, after, limit);
    }

    @Override
    public Map<Long, ChangePage> changes(Map<Long, Long> after, int limit) throws StoreException {
        return shared.changes(after, limit);
    }

    @Override
    public ChangePage created(long after, int limit) throws StoreException {
        return shared.created(after, limit);
    }

    @Override
    public ConversationSnapshot snapshot(long conversationId) throws StoreException {
        return shared.snapshot(conversationId);
    }

    @Override
    public Set<Long> conversationsOf(String user) throws StoreException {
        return shared.conversationsOf(user);
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return shared.subscribe(listener);
    }

    @Override
    public boolean renewLease(String nodeId, Duration lease) throws StoreException {
        return shared.renewLease(nodeId, lease);
    }

    @Override
    public void releaseLease(String nodeId) throws StoreException {
        shared.releaseLease(nodeId);
    }

    @Override
    public Set<String> liveNodes() throws StoreException {
        return shared.liveNodes();
    }

    @Override
    public Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
            throws StoreException {
        return shared.putPresence(key, lookAlike, presence, takeOver);
    }

    @Override
    public void removePresence(String key, String nodeId) throws StoreException {
        shared.removePresence(key, nodeId);
    }

    @Override
    public Map<String, Presence> presence() throws StoreException {
        return shared.presence();
    }

    @Override
    public Map<String, Presence> presence(Collection<String> keys) throws StoreException {
        return shared.presence(keys);
    }
}
