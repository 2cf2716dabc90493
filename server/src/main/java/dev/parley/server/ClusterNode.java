package dev.parley.server;

import dev.parley.server.store.Change;
import dev.parley.server.store.ChangePage;
import dev.parley.server.store.Presence;
import dev.parley.server.store.SharedStore;
import dev.parley.server.store.StoreException;
import dev.parley.server.store.StoreListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What makes an {@link ImServer} one node of several sharing a {@link SharedStore}: a thread of its
 * own ({@code parley-im-node-NAME}) that renews the node's lease and reads the store, handing what it
 * read to the server ({@link Followers}) to apply under the server's lock. It reads a conversation's
 * feed from the server's cursor after each hint for it (the feeds hinted since the last pass
 * together, in one round trip), the feed of created conversations after a
 * hint for it, the online list after a hint for it, and all of them every
 * {@link ServerOptions#nodeSyncPeriod()} whatever the hints: a lost hint delays a change by at most
 * a period, never loses it, and since only this thread reads a node's feeds and each page is applied
 * at the cursor it was read after, members get each message once and in order.
 *
 * <p>Hints ({@link StoreListener}) come on the store's threads and only note what to read. A store
 * that fails is logged and read again at the next period; the thread runs until {@link #close()}.
 */
final class ClusterNode implements StoreListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    /** Most changes read from a feed at once. */
    static final int PAGE = 200;

    /** Most pages read from one feed in one pass, so that one busy conversation cannot starve the others. */
    private static final int MAX_PAGES_A_PASS = 50;

    /** Most feeds read in one round trip, so that a full sync of many conversations is not one huge reply. */
    static final int FEEDS_A_READ = 64;

    /** The server's side: its cursors, and what it does with what was read, each under its own lock. */
    interface Followers {

        /** The conversations followed now. */
        Set<Long> followed();

        /** Where the feed of {@code conversationId} is read from, or -1 if it is not followed. */
        long cursor(long conversationId);

        /**
         * Applies {@code page}, read after {@code after}, if the cursor is still there.
         *
         * @return true if applied and more may follow
         */
        boolean apply(long conversationId, long after, ChangePage page) throws StoreException;

        /** Tells invited users on this node about conversations just created. */
        void created(List<Change.Created> created);

        /**
         * Makes the online list what the store said, {@code presence}, as read from {@code readAt}
         * ({@link System#nanoTime()}); puts this node's users in again first if {@code republish}.
         */
        void presence(Map<String, Presence> presence, long readAt, boolean republish);
    }

    private final SharedStore store;
    private final String id;
    private final Duration lease;
    private final Duration syncPeriod;
    private final Followers followers;
    private final SharedStore.Subscription subscription;
    private final Thread thread;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition hinted = lock.newCondition();
    // Guarded by lock.
    private final Set<Long> changed = new LinkedHashSet<>();
    private boolean createdChanged;
    private boolean presenceChanged;
    private boolean hintsLost;
    private boolean closed;

    /** Only the node thread touches it. */
    private long createdCursor;

    private ClusterNode(SharedStore store, String id, ServerOptions options, Followers followers)
            throws StoreException {
        this.store = store;
        this.id = id;
        this.lease = options.nodeLease();
        this.syncPeriod = options.nodeSyncPeriod();
        this.followers = followers;
        store.renewLease(id, lease);
        // Invitations made before this node started reached nobody here: start after them.
        this.createdCursor = store.created(Long.MAX_VALUE, 0).lastCursor();
        this.subscription = store.subscribe(this);
        this.thread = Thread.ofPlatform().daemon().name("parley-im-node-" + id).unstarted(this::run);
    }

    /** The name of the node {@code options} describe: {@code options.nodeId()}, or a made-up one. */
    static String nodeId(ServerOptions options) {
        return options.nodeId() != null ? options.nodeId()
                : "node-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
    }

    /**
     * Claims node {@code id}'s lease (see {@link #nodeId}) and starts following the store.
     *
     * @throws StoreException if the store cannot be reached
     */
    static ClusterNode start(SharedStore store, String id, ServerOptions options, Followers followers)
            throws StoreException {
        var node = new ClusterNode(store, id, options, followers);
        node.thread.start();
        log.info("node {} on a shared store: lease {}, sync every {}", id, node.lease, node.syncPeriod);
        return node;
    }

    /** This node's name, unique among live nodes. */
    String id() {
        return id;
    }

    @Override
    public void conversationChanged(long conversationId) {
        noteHint(() -> changed.add(conversationId));
    }

    @Override
    public void conversationCreated(long conversationId) {
        noteHint(() -> createdChanged = true);
    }

    @Override
    public void presenceChanged() {
        noteHint(() -> presenceChanged = true);
    }

    /** Reads every followed feed, the created conversations and the online list at once. */
    @Override
    public void hintsMayHaveBeenLost() {
        noteHint(() -> hintsLost = true);
    }

    /** Notes what a hint says, holding the lock, and wakes the node thread. */
    private void noteHint(Runnable note) {
        lock.lock();
        try {
            note.run();
            hinted.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the thread and the hints. The lease is left to run out, as a killed node's would: its
     * users' clients have that long to resume on another node before anyone sees them go.
     */
    @Override
    public void close() {
        noteHint(() -> closed = true);
        subscription.close();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(syncPeriod.toMillis() + 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** On the node thread: passes until closed. */
    private void run() {
        long nextSync = System.nanoTime();
        while (true) {
            Set<Long> conversations;
            boolean created;
            boolean presence;
            boolean lost;
            boolean full;
            lock.lock();
            try {
                long wait = nextSync - System.nanoTime();
                while (!closed && wait > 0 && changed.isEmpty() && !createdChanged && !presenceChanged && !hintsLost) {
                    wait = hinted.awaitNanos(wait);
                }
                if (closed) {
                    return;
                }
                full = nextSync - System.nanoTime() <= 0;
                conversations = new LinkedHashSet<>(changed);
                created = createdChanged;
                presence = presenceChanged;
                lost = hintsLost;
                hintsLost = false;
                changed.clear();
                createdChanged = false;
                presenceChanged = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                boolean republish = false;
                if (full) {
                    nextSync = System.nanoTime() + syncPeriod.toNanos();
                    republish = !store.renewLease(id, lease);
                    if (republish) {
                        log.warn("node {} had lost its lease: putting its users online again", id);
                    }
                    conversations.addAll(followers.followed());
                }
                if (lost) {
                    conversations.addAll(followers.followed());
                }
                if (full || created || lost) {
                    readCreated();
                }
                readFeeds(conversations);
                if (full || presence || republish || lost) {
                    long readAt = System.nanoTime();
                    followers.presence(store.presence(), readAt, republish);
                }
            } catch (StoreException e) {
                log.warn("node {}: cannot read the store, trying again in {}: {}", id, syncPeriod, e.getMessage());
            } catch (RuntimeException e) {
                log.error("node {}: failed applying what the store said; trying again in {}", id, syncPeriod, e);
            }
        }
    }

    private void readCreated() throws StoreException {
        for (int pages = 0; pages < MAX_PAGES_A_PASS; pages++) {
            ChangePage page = store.created(createdCursor, PAGE);
            if (page.changes().isEmpty()) {
                return;
            }
            followers.created(page.changes().stream().map(Change.Created.class::cast).toList());
            createdCursor = page.changes().getLast().cursor();
        }
        conversationCreated(createdCursor);
    }

    /**
     * Reads the feeds of {@code conversations} together, a page of each per round trip (up to
     * {@link #FEEDS_A_READ} feeds), and applies
     * each page; reads on those with more, up to {@link #MAX_PAGES_A_PASS} pages, and leaves what is
     * left to the next pass, after the other conversations.
     */
    private void readFeeds(Set<Long> conversations) throws StoreException {
        Set<Long> reading = new LinkedHashSet<>(conversations);
        for (int pages = 0; pages < MAX_PAGES_A_PASS && !reading.isEmpty(); pages++) {
            Map<Long, Long> after = new LinkedHashMap<>();
            for (long conversation : reading) {
                long cursor = followers.cursor(conversation);
                if (cursor >= 0) {
                    after.put(conversation, cursor);
                }
            }
            reading.clear();
            Map<Long, ChangePage> read = read(after);
            for (var cursor : after.entrySet()) {
                ChangePage page = read.get(cursor.getKey());
                // Up to date once the page reaches the feed's last cursor: no read of an empty page to learn it.
                if (followers.apply(cursor.getKey(), cursor.getValue(), page) && !page.changes().isEmpty()
                        && page.changes().getLast().cursor() < page.lastCursor()) {
                    reading.add(cursor.getKey());
                }
            }
        }
        reading.forEach(this::conversationChanged);
    }

    /** A page of each feed after its cursor ({@code after}), {@link #FEEDS_A_READ} feeds a round trip. */
    private Map<Long, ChangePage> read(Map<Long, Long> after) throws StoreException {
        Map<Long, ChangePage> pages = new HashMap<>();
        Map<Long, Long> some = new LinkedHashMap<>();
        for (var cursor : after.entrySet()) {
            some.put(cursor.getKey(), cursor.getValue());
            if (some.size() == FEEDS_A_READ) {
                pages.putAll(store.changes(some, PAGE));
                some.clear();
            }
        }
        if (!some.isEmpty()) {
            pages.putAll(store.changes(some, PAGE));
        }
        return pages;
    }
}
