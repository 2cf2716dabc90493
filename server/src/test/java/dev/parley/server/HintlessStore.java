package dev.parley.server;

import dev.parley.server.store.Appended;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.ConversationSnapshot;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreListener;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A {@link SharedStore} whose every hint is lost, as when a notification is dropped or a node's
 * subscription was not restored after a reconnect: nodes on it must get everything from their
 * periodic reads alone. Everything else is the wrapped store's.
 */
final class HintlessStore implements SharedStore {

    private final SharedStore store;

    HintlessStore(SharedStore store) {
        this.store = store;
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return () -> {
        };
    }

    @Override
    public long create(String creator, Collection<String> invited) throws StoreException {
        return store.create(creator, invited);
    }

    @Override
    public void join(long conversationId, String user) throws StoreException {
        store.join(conversationId, user);
    }

    @Override
    public boolean leave(long conversationId, String user) throws StoreException {
        return store.leave(conversationId, user);
    }

    @Override
    public boolean isInvited(long conversationId, String user) throws StoreException {
        return store.isInvited(conversationId, user);
    }

    @Override
    public Map<Long, List<String>> conversations() throws StoreException {
        return store.conversations();
    }

    @Override
    public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
        return store.append(conversationId, sender, clientMessageId, text);
    }

    @Override
    public HistoryPage history(long conversationId, long from, Direction direction, int limit)
            throws StoreException {
        return store.history(conversationId, from, direction, limit);
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

    @Override
    public void close() {
        store.close();
    }
}
