package dev.parley.server;

import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SharedStore} whose next two presence puts, once {@linkplain #race() armed}, wait for each
 * other before going on: so that two registrations on two nodes have each checked whatever they
 * check before either writes, the interleaving a check-then-act race needs, every time. Everything
 * else is the wrapped store's. Thread-safe.
 */
final class RacingPutsStore extends ForwardingSharedStore {

    /** Longest a put waits for the other. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final AtomicInteger waiting = new AtomicInteger();
    private volatile CountDownLatch meeting = new CountDownLatch(0);

    RacingPutsStore(SharedStore store) {
        super(store);
    }

    /** Makes the next two puts wait for each other; call it before the registrations start. */
    void race() {
        meeting = new CountDownLatch(2);
        waiting.set(2);
    }

    @Override
    public Optional<Presence> putPresence(String key, String lookAlike, Presence presence, boolean takeOver)
            throws StoreException {
        if (waiting.getAndUpdate(left -> Math.max(left - 1, 0)) > 0) {
            CountDownLatch met = meeting;
            met.countDown();
            try {
                if (!met.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new StoreException("no second put within " + PATIENCE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted waiting for a second put");
            }
        }
        return super.putPresence(key, lookAlike, presence, takeOver);
    }
}
