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
 * A {@link SharedStore} that counts how often each conversation's feed is read, loses the next
 * hints that carry changes of a conversation when told to, as a lost notification would, and holds
 * feed reads when told to, as a slow store would. Everything else is the wrapped store's. One per
 * node: it counts that node's reads.
 */
final class CarriedHintsStore extends ForwardingSharedStore {

    private final Map<Long, AtomicInteger> reads = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> toLose = new ConcurrentHashMap<>();
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

    /** Loses the next {@code count} hints carrying changes of {@code conversationId}. */
    void loseNextCarried(long conversationId, int count) {
        toLose.computeIfAbsent(conversationId, id -> new AtomicInteger()).addAndGet(count);
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
                AtomicInteger losing = toLose.get(conversationId);
                if (losing != null && losing.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
                    lost.incrementAndGet();
                    return;
                }
                super.changesPosted(conversationId, after, changes);
            }
        });
    }
}
