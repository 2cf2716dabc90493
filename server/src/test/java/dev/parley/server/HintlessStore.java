package dev.parley.server;

import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreListener;

/**
 * A {@link SharedStore} whose every hint is lost, as when a notification is dropped or a node's
 * subscription was not restored after a reconnect: nodes on it must get everything from their
 * periodic reads alone. Everything else is the wrapped store's.
 */
final class HintlessStore extends ForwardingSharedStore {

    HintlessStore(SharedStore store) {
        super(store);
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return () -> {
        };
    }
}
