package dev.parley.server;

import dev.parley.server.store.Appended;
import dev.parley.server.store.ChatStore;
import dev.parley.server.store.HistoryPage;
import dev.parley.server.store.StoreException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** A {@link ChatStore} that does what {@code store} does: tests override the one call they make misbehave. */
abstract class ForwardingChatStore implements ChatStore {

    private final ChatStore store;

    ForwardingChatStore(ChatStore store) {
        this.store = store;
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
    public HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException {
        return store.history(conversationId, from, direction, limit);
    }

    @Override
    public void close() {
        store.close();
    }
}
