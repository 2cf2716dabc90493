package dev.parley.server.store;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link SharedStore} in this process's memory, for several {@code ImServer}s in one JVM (tests,
 * the demo): each node is given the same instance. Conversations and messages are kept by a
 * {@link MemoryStore}; the feeds, leases and presence beside it, each write and its change under one
 * lock. A feed keeps at most {@link StoreOptions#retainedMessages()} changes. Leases follow the
 * clock it is given.
 *
 * <p>Hints reach listeners on the thread that made the change, after the lock is released (so two
 * appends on two threads may hint out of order); an append's hint carries its change
 * ({@link StoreListener#changesPosted}), as {@link RedisStore}'s do, so that nodes on this store
 * take the path they take on Redis. Closing
 * it does nothing (its nodes may close one by one), so it may be shared by nodes that close at
 * different times.
 */
public final class MemorySharedStore implements SharedStore {

    private final MemoryStore messages;
    private final StoreOptions options;
    private final InstantSource clock;
    private final List<StoreListener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final Map<Long, Feed> feeds = new HashMap<>();
    /** Each user's conversations, kept exactly with the members (under the same lock). */
    private final Map<String, Set<Long>> conversationsByUser = new HashMap<>();
    private final NavigableMap<Long, Change.Created> created = new TreeMap<>();
    private final Map<String, Long> leaseExpiries = new HashMap<>();
    private final Map<String, Presence> presence = new LinkedHashMap<>();
    /** Look-alike to the key of the user who claims it; a claim counts while its user has a live entry. */
    private final Map<String, String> lookAlikes = new HashMap<>();

    /** One conversation's members and changes. */
    private static final class Feed {
        final Set<String> members = new LinkedHashSet<>();
        final ArrayDeque<Change> changes = new ArrayDeque<>();
        long lastCursor;
        long lastSequence;
    }

    private MemorySharedStore(StoreOptions options, InstantSource clock) {
        this.messages = MemoryStore.create(options, clock);
        this.options = options;
        this.clock = clock;
    }

    /** An empty store with {@code options}, stamping messages and timing leases with {@code clock}. */
    public static MemorySharedStore create(StoreOptions options, InstantSource clock) {
        return new MemorySharedStore(options, clock);
    }

    /** An empty store with {@code options} and the system clock. */
    public static MemorySharedStore create(StoreOptions options) {
        return create(options, InstantSource.system());
    }

    @Override
    public long create(String creator, Collection<String> invited) throws StoreException {
        long id;
        lock.lock();
        try {
            id = messages.create(creator, invited);
            var feed = new Feed();
            feed.members.add(creator);
            feeds.put(id, feed);
            conversationsByUser.computeIfAbsent(creator, user -> new TreeSet<>()).add(id);
            List<String> everyone = new ArrayList<>(new LinkedHashSet<>(invited));
            created.put(id, new Change.Created(id, id, creator, everyone));
        } finally {
            lock.unlock();
        }
        long createdId = id;
        hint(listener -> listener.conversationCreated(createdId));
        return id;
    }

    @Override
    public void join(long conversationId, String user) throws StoreException {
        lock.lock();
        try {
            messages.join(conversationId, user);
            Feed feed = feeds.get(conversationId);
            if (!feed.members.add(user)) {
                return;
            }
            conversationsByUser.computeIfAbsent(user, member -> new TreeSet<>()).add(conversationId);
            record(feed, new Change.Joined(feed.lastCursor + 1, conversationId, user));
        } finally {
            lock.unlock();
        }
        hint(listener -> listener.conversationChanged(conversationId));
    }

    @Override
    public boolean leave(long conversationId, String user) throws StoreException {
        boolean ended;
        lock.lock();
        try {
            ended = messages.leave(conversationId, user);
            Feed feed = feeds.get(conversationId);
            if (feed.members.remove(user)) {
                record(feed, new Change.Left(feed.lastCursor + 1, conversationId, user));
                Set<Long> theirs = conversationsByUser.get(user);
                theirs.remove(conversationId);
                if (theirs.isEmpty()) {
                    conversationsByUser.remove(user);
                }
            }
            if (ended) {
                feeds.remove(conversationId);
                created.remove(conversationId);
            }
        } finally {
            lock.unlock();
        }
        hint(listener -> listener.conversationChanged(conversationId));
        return ended;
    }

    @Override
    public boolean isInvited(long conversationId, String user) throws StoreException {
        return messages.isInvited(conversationId, user);
    }

    @Override
    public Map<Long, List<String>> conversations() {
        return messages.conversations();
    }

    @Override
    public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
        Appended appended;
        Change.Posted posted = null;
        lock.lock();
        try {
            appended = messages.append(conversationId, sender, clientMessageId, text).toCompletableFuture().join();
            if (!appended.duplicate()) {
                Feed feed = feeds.get(conversationId);
                feed.lastSequence = appended.message().sequence();
                posted = new Change.Posted(feed.lastCursor + 1, appended.message());
                record(feed, posted);
            }
        } catch (CompletionException refused) {
            return CompletableFuture.failedFuture(refused.getCause());
        } finally {
            lock.unlock();
        }
        if (posted != null) {
            List<Change.Posted> carried = List.of(posted);
            long after = posted.cursor() - 1;
            hint(listener -> listener.changesPosted(conversationId, after, carried));
        }
        return CompletableFuture.completedFuture(appended);
    }

    @Override
    public HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException {
        return messages.history(conversationId, from, direction, limit);
    }

    @Override
    public ChangePage changes(long conversationId, long after, int limit) {
        int size = Math.clamp(limit, 0, options.maxPageSize());
        lock.lock();
        try {
            Feed feed = feeds.get(conversationId);
            if (feed == null) {
                return ChangePage.endedFeed();
            }
            long first = feed.changes.isEmpty() ? feed.lastCursor + 1 : feed.changes.getFirst().cursor();
            List<Change> page = feed.changes.stream().filter(change -> change.cursor() > after).limit(size).toList();
            return new ChangePage(page, first, feed.lastCursor, false);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ChangePage created(long after, int limit) {
        int size = Math.clamp(limit, 0, options.maxPageSize());
        lock.lock();
        try {
            List<Change> page = created.tailMap(after, false).values().stream().limit(size)
                    .map(Change.class::cast).toList();
            long last = created.isEmpty() ? 0 : created.lastKey();
            return new ChangePage(page, 1, last, false);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ConversationSnapshot snapshot(long conversationId) throws StoreException {
        lock.lock();
        try {
            Feed feed = feeds.get(conversationId);
            if (feed == null) {
                throw new StoreException("unknown conversation " + conversationId);
            }
            return new ConversationSnapshot(conversationId, List.copyOf(feed.members), feed.lastSequence,
                    feed.lastCursor);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Set<Long> conversationsOf(String user) {
        lock.lock();
        try {
            return new TreeSet<>(conversationsByUser.getOrDefault(user, Set.of()));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription subscribe(StoreListener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public boolean renewLease(String nodeId, Duration lease) {
        lock.lock();
        try {
            long now = clock.millis();
            Long expiry = leaseExpiries.put(nodeId, now + lease.toMillis());
            return expiry != null && expiry > now;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseLease(String nodeId) {
        lock.lock();
        try {
            leaseExpiries.remove(nodeId);
            presence.values().removeIf(entry -> entry.nodeId().equals(nodeId));
            lookAlikes.values().retainAll(presence.keySet());
        } finally {
            lock.unlock();
        }
        hint(StoreListener::presenceChanged);
    }

    @Override
    public Set<String> liveNodes() {
        lock.lock();
        try {
            return Set.copyOf(liveNodesLocked());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Presence> putPresence(String key, String lookAlike, Presence entry, boolean takeOver) {
        lock.lock();
        try {
            Presence held = liveEntryLocked(key);
            if (held != null && !held.nodeId().equals(entry.nodeId()) && !held.detached() && !takeOver) {
                return Optional.of(held);
            }
            String holder = lookAlikes.get(lookAlike);
            Presence similar = holder == null || holder.equals(key) ? null : liveEntryLocked(holder);
            if (similar != null) {
                return Optional.of(similar);
            }
            presence.put(key, entry);
            lookAlikes.put(lookAlike, key);
        } finally {
            lock.unlock();
        }
        hint(StoreListener::presenceChanged);
        return Optional.empty();
    }

    @Override
    public void removePresence(String key, String nodeId) {
        lock.lock();
        try {
            Presence entry = presence.get(key);
            if (entry == null || !entry.nodeId().equals(nodeId)) {
                return;
            }
            presence.remove(key);
            lookAlikes.values().remove(key);
        } finally {
            lock.unlock();
        }
        hint(StoreListener::presenceChanged);
    }

    @Override
    public Map<String, Presence> presence() {
        lock.lock();
        try {
            Set<String> live = liveNodesLocked();
            presence.values().removeIf(entry -> !live.contains(entry.nodeId()));
            lookAlikes.values().retainAll(presence.keySet());
            return Map.copyOf(presence);
        } finally {
            lock.unlock();
        }
    }

    /** Nothing to release: the nodes sharing it may close one by one. */
    @Override
    public void close() {
    }

    /** User {@code key}'s entry if a live node holds it, else null. */
    private Presence liveEntryLocked(String key) {
        Presence entry = presence.get(key);
        return entry != null && liveNodesLocked().contains(entry.nodeId()) ? entry : null;
    }

    private Set<String> liveNodesLocked() {
        long now = clock.millis();
        leaseExpiries.values().removeIf(expiry -> expiry <= now);
        return leaseExpiries.keySet();
    }

    /** Adds {@code change} to {@code feed}, trimming the oldest past the retention. */
    private void record(Feed feed, Change change) {
        feed.lastCursor = change.cursor();
        feed.changes.addLast(change);
        while (feed.changes.size() > options.retainedMessages()) {
            feed.changes.removeFirst();
        }
    }

    private void hint(Consumer<StoreListener> hint) {
        listeners.forEach(hint);
    }
}
