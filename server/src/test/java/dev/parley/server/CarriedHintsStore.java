package dev.parley.server;

import dev.parley.server.store.Change;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreListener;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SharedStore} that counts how often each conversation's feed is read, loses the hints
 * that carry a given message when told to, as a lost notification would, and holds feed reads when
 * told to, as a slow store would. Everything else is the wrapped store's. One per node: it counts
 * that node's reads.
 */
final class CarriedHintsStore extends ForwardingSharedStore {

    private final Map<Long, AtomicInteger> reads = new ConcurrentHashMap<>();
    /** Per conversation, the message whose carrying hints are lost. */
    private final Map<Long, Long> toLose = new ConcurrentHashMap<>();
    private final AtomicInteger lost = new AtomicInteger();
    private final CountDownLatch releasedReads = new CountDownLatch(1);
    private final CountDownLatch heldARead = new CountDownLatch(1);
    private volatile boolean holdingReads;

    CarriedHintsStore(SharedStore store) {
        super(store);
    }

    /** How often conversation {@code conversationId}'s feed was read since the last {@link #resetReads()}. */
    int reads(long conversationId) {
        AtomicInteger count = reads.get(conversationId);
        return count == null ? 0 : count.get();
    }

    void resetReads() {
        reads.clear();
    }

    /**
     * Loses every hint that carries message {@code sequence} of {@code conversationId}. Named by its
     * message, not as the next hint: a hint of a message the node already read from the feed may
     * still be on its way, late, and losing that one would lose nothing.
     */
    void loseHintsCarrying(long conversationId, long sequence) {
        toLose.put(conversationId, sequence);
    }

    /** How many carrying hints were lost so far. */
    int lost() {
        return lost.get();
    }

    /** Feed reads from now on wait, before reading, until {@link #releaseReads()}. */
    void holdReads() {
        holdingReads = true;
    }

    /** Waits until a read is held. */
    void awaitHeldRead() throws InterruptedException {
        if (!heldARead.await(ScriptedClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no feed read within " + ScriptedClient.TIMEOUT);
        }
    }

    /** Lets held reads go on, and reads from now on go at once. */
    void releaseReads() {
        holdingReads = false;
        releasedReads.countDown();
    }

    @Override
    public ChangePage changes(long conversationId, long after, int limit) throws StoreException {
        counted(List.of(conversationId));
        return shared.changes(conversationId, after, limit);
    }

    @Override
    public Map<Long, ChangePage> changes(Map<Long, Long> after, int limit) throws StoreException {
        counted(after.keySet());
        return shared.changes(after, limit);
    }

    private void counted(Collection<Long> conversations) {
        conversations.forEach(id -> reads.computeIfAbsent(id, any -> new AtomicInteger()).incrementAndGet());
        if (holdingReads) {
            heldARead.countDown();
            try {
                if (!releasedReads.await(ScriptedClient.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("a read held longer than " + ScriptedClient.TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        return shared.subscribe(new ForwardingStoreListener(listener) {
            @Override
            public void changesPosted(long conversationId, long after, List<Change.Posted> changes) {
                Long losing = toLose.get(conversationId);
                if (losing != null && changes.stream().anyMatch(change -> change.message().sequence() == losing)) {
                    lost.incrementAndGet();
                    return;
                }
                super.changesPosted(conversationId, after, changes);
            }
        });
    }
}
