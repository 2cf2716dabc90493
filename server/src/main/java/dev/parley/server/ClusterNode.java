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
import java.util.ArrayList;
import java.util.Comparator;
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
 * <p><b>Carried changes.</b> A hint may carry the messages an append posted
 * ({@link StoreListener#changesPosted}): the node queues them (at most {@link #MAX_CARRIED_PAGES}
 * hints a conversation and {@link #MAX_CARRIED_CHARS} characters in all; past either it drops that
 * conversation's and reads its feed instead) and, at the start of its next pass, before any read,
 * applies each conversation's in cursor order wherever they start at the server's cursor, as a page
 * read there would be applied: one that the cursor has passed is skipped (read already), the part
 * of one past the cursor is applied, and one that starts beyond the cursor (a hint before it was
 * lost) has the feed read from the cursor as after any hint. A carried change is the feed's own, so
 * which of the two brings it does not matter; the server applies each cursor once. With carried
 * hints a message reaches the members of other nodes without a read of the feed, whose reply
 * would wait for another fsync of the store's.
 *
 * <p><b>Appends of this node's own.</b> Its members get them the same way, from the hint that
 * carries them ({@link #appended}); if the message has not been sent to them within
 * {@link #CARRIED_GRACE} of the append (its hint lost, or the store carries none), the node reads
 * the feed. A later hint that starts past the cursor is a gap, read at once, so the grace only
 * counts after the last append of a conversation.
 *
 * <p>Hints ({@link StoreListener}) come on the store's threads and only note what to read or apply.
 * A store that fails is logged and read again at the next period; the thread runs until {@link #close()}.
 */
final class ClusterNode implements StoreListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

    /** Most changes read from a feed at once. */
    static final int PAGE = 200;

    /** Most pages read from one feed in one pass, so that one busy conversation cannot starve the others. */
    private static final int MAX_PAGES_A_PASS = 50;

    /** Most feeds read in one round trip, so that a full sync of many conversations is not one huge reply. */
    static final int FEEDS_A_READ = 64;

    /**
     * Most carrying hints queued for one conversation between two passes; past it the node drops
     * them and reads the feed, which has the same changes, so that a busy conversation's hints cannot
     * pile up while the node thread waits for the store.
     */
    static final int MAX_CARRIED_PAGES = 64;

    /**
     * Most characters of carried messages (text and sender, plus {@value #CARRIED_OVERHEAD} a
     * change) queued for all conversations together, about 8 MiB of heap: every hint of every
     * conversation reaches every node, followed here or not. Past it a hint is dropped and its
     * conversation's feed read instead.
     */
    static final int MAX_CARRIED_CHARS = 4 << 20;

    /** What a carried change counts towards {@link #MAX_CARRIED_CHARS} beyond its text and sender. */
    private static final int CARRIED_OVERHEAD = 32;

    /**
     * How long after an append of this node's the members here may wait for the hint carrying it
     * before the node reads the feed instead: long enough for a hint that comes a little after the
     * append's reply (both leave the store at once, on different connections), short enough that a
     * lost one costs the sender's copy little.
     */
    static final Duration CARRIED_GRACE = Duration.ofMillis(50);

    /** The server's side: its cursors, and what it does with what was read, each under its own lock. */
    interface Followers {

        /** The conversations followed now. */
        Set<Long> followed();

        /** Where the feed of {@code conversationId} is read from, or -1 if it is not followed. */
        long cursor(long conversationId);

        /**
         * True if message {@code sequence} of {@code conversationId} has been sent to its members
         * here, or the conversation is not followed (nobody here is waiting for it).
         */
        boolean sent(long conversationId, long sequence);

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
         * ({@link System#nanoTime()}); puts this node's users in again first if {@code republish}
         * (this node's lease had run out), letting go of those whom another node took over or let a
         * look-alike of in the meantime.
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
    /** Carrying hints not applied yet, by conversation, as they came. */
    private Map<Long, List<Carried>> carried = new LinkedHashMap<>();
    private int carriedChars;
    /** This node's appends whose hints are awaited, by conversation. */
    private final Map<Long, Awaited> awaited = new HashMap<>();
    /** When the node thread, while {@code waiting}, wakes by itself. */
    private long wakeAt;
    private boolean waiting;
    private boolean createdChanged;
    private boolean presenceChanged;
    private boolean hintsLost;
    private boolean closed;

    /** Only the node thread touches it. */
    private long createdCursor;

    /** A carrying hint: {@code changes} right after cursor {@code after}. */
    private record Carried(long after, List<Change.Posted> changes) {
    }

    /** Message {@code sequence} (and those before it) appended here, to be sent here by {@code deadline}. */
    private record Awaited(long sequence, long deadline) {
    }

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

    /** Queues a carrying hint, or notes its feed to be read if the queue is full. */
    @Override
    public void changesPosted(long conversationId, long after, List<Change.Posted> changes) {
        var page = new Carried(after, changes);
        int weight = weight(page);
        noteHint(() -> {
            List<Carried> queued = carried.computeIfAbsent(conversationId, id -> new ArrayList<>());
            if (queued.size() < MAX_CARRIED_PAGES && carriedChars + weight <= MAX_CARRIED_CHARS) {
                queued.add(page);
                carriedChars += weight;
            } else {
                for (Carried dropped : carried.remove(conversationId)) {
                    carriedChars -= weight(dropped);
                }
                changed.add(conversationId);
            }
        });
    }

    private static int weight(Carried page) {
        int chars = 0;
        for (Change.Posted change : page.changes()) {
            chars += change.message().text().length() + change.message().sender().length() + CARRIED_OVERHEAD;
        }
        return chars;
    }

    /**
     * This node appended message {@code sequence} to {@code conversationId}: its members here get it
     * from the hint that carries it, or, if it has not been sent to them within {@link #CARRIED_GRACE},
     * from a read of the feed. Called on any thread not holding the server's lock; returns at once.
     */
    void appended(long conversationId, long sequence) {
        if (followers.sent(conversationId, sequence)) {
            return; // its hint came before the store's reply
        }
        long deadline = System.nanoTime() + CARRIED_GRACE.toNanos();
        lock.lock();
        try {
            awaited.merge(conversationId, new Awaited(sequence, deadline),
                    (was, now) -> new Awaited(Math.max(was.sequence(), now.sequence()), now.deadline()));
            // Only a thread that would sleep past the deadline is woken: the hint usually wakes it first.
            if (waiting && deadline - wakeAt < 0) {
                hinted.signal();
            }
        } finally {
            lock.unlock();
        }
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
            Map<Long, List<Carried>> pages;
            Map<Long, Awaited> appends;
            boolean created;
            boolean presence;
            boolean lost;
            boolean full;
            lock.lock();
            try {
                while (!closed && changed.isEmpty() && carried.isEmpty() && !createdChanged && !presenceChanged
                        && !hintsLost) {
                    long wake = nextSync;
                    for (Awaited append : awaited.values()) {
                        wake = append.deadline() - wake < 0 ? append.deadline() : wake;
                    }
                    long wait = wake - System.nanoTime();
                    if (wait <= 0) {
                        break;
                    }
                    wakeAt = wake;
                    waiting = true;
                    try {
                        hinted.awaitNanos(wait);
                    } finally {
                        waiting = false;
                    }
                }
                if (closed) {
                    return;
                }
                full = nextSync - System.nanoTime() <= 0;
                conversations = new LinkedHashSet<>(changed);
                pages = carried;
                carried = new LinkedHashMap<>();
                carriedChars = 0;
                appends = awaited.isEmpty() ? Map.of() : new HashMap<>(awaited);
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
                try {
                    applyCarried(pages, conversations);
                } finally {
                    // Even if applying failed: an append past its grace would wake this thread again and again.
                    checkAppends(appends, conversations);
                }
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

    /**
     * Applies the carried changes of each conversation in {@code pages} that follow on from its
     * cursor, in cursor order; adds to {@code toRead} the conversations where one starts past it
     * (a hint was lost), whose feeds are then read from the cursor.
     */
    private void applyCarried(Map<Long, List<Carried>> pages, Set<Long> toRead) throws StoreException {
        for (var queued : pages.entrySet()) {
            long conversation = queued.getKey();
            List<Carried> inOrder = queued.getValue();
            // Two appends' hints may come out of order (a store hinting from the appending threads).
            inOrder.sort(Comparator.comparingLong(Carried::after));
            for (Carried page : inOrder) {
                long cursor = followers.cursor(conversation);
                long last = page.changes().getLast().cursor();
                if (cursor < 0) {
                    break;
                }
                if (last <= cursor) {
                    continue;
                }
                if (page.after() > cursor) {
                    toRead.add(conversation);
                    break;
                }
                List<Change> fresh = List.copyOf(
                        page.changes().subList((int) (cursor - page.after()), page.changes().size()));
                followers.apply(conversation, cursor, new ChangePage(fresh, cursor + 1, last, false));
            }
        }
    }

    /**
     * Of this node's appends in {@code appends} (as awaited at the start of the pass), forgets those
     * sent to the members here, and adds to {@code toRead} the conversations of those that were not
     * within {@link #CARRIED_GRACE}.
     */
    private void checkAppends(Map<Long, Awaited> appends, Set<Long> toRead) {
        if (appends.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<Map.Entry<Long, Awaited>> settled = new ArrayList<>();
        for (var append : appends.entrySet()) {
            boolean sent = followers.sent(append.getKey(), append.getValue().sequence());
            if (!sent && now - append.getValue().deadline() >= 0) {
                toRead.add(append.getKey());
            }
            if (sent || now - append.getValue().deadline() >= 0) {
                settled.add(append);
            }
        }
        lock.lock();
        try {
            // An append made since is awaited still: its entry is another.
            settled.forEach(append -> awaited.remove(append.getKey(), append.getValue()));
        } finally {
            lock.unlock();
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
