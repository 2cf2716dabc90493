package dev.parley.server.store;

import java.time.InstantSource;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ChatStore} in this process's memory: for tests and the demo, and for a server that need
 * keep nothing across restarts. Appends complete on the calling thread, before {@code append}
 * returns. Thread-safe: one lock guards everything.
 */
public final class MemoryStore implements ChatStore {

    private final StoreOptions options;
    private final InstantSource clock;
    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final Map<Long, Log> conversations = new TreeMap<>();
    private long lastConversationId;

    /** One conversation: members, invitations and the messages kept. */
    private static final class Log {
        final Set<String> members = new LinkedHashSet<>();
        final Set<String> invited = new HashSet<>();
        final NavigableMap<Long, StoredMessage> messages = new TreeMap<>();
        final Map<MessageKey, StoredMessage> byClientId = new HashMap<>();
        long lastSequence;
    }

    private record MessageKey(String sender, long clientMessageId) {
    }

    private MemoryStore(StoreOptions options, InstantSource clock) {
        this.options = options;
        this.clock = clock;
    }

    /** An empty store with {@code options}, stamping messages with {@code clock}. */
    public static MemoryStore create(StoreOptions options, InstantSource clock) {
        return new MemoryStore(options, clock);
    }

    /** An empty store with {@code options} and the system clock. */
    public static MemoryStore create(StoreOptions options) {
        return create(options, InstantSource.system());
    }

    @Override
    public long create(String creator, Collection<String> invited) {
        lock.lock();
        try {
            var log = new Log();
            log.members.add(creator);
            log.invited.add(creator);
            log.invited.addAll(invited);
            conversations.put(++lastConversationId, log);
            return lastConversationId;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void join(long conversationId, String user) throws StoreException {
        locked(() -> log(conversationId).members.add(user));
    }

    @Override
    public boolean leave(long conversationId, String user) throws StoreException {
        return locked(() -> {
            Log log = log(conversationId);
            log.members.remove(user);
            if (log.members.isEmpty()) {
                conversations.remove(conversationId);
                return true;
            }
            return false;
        });
    }

    @Override
    public boolean isInvited(long conversationId, String user) throws StoreException {
        return locked(() -> log(conversationId).invited.contains(user));
    }

    @Override
    public Map<Long, List<String>> conversations() {
        lock.lock();
        try {
            Map<Long, List<String>> all = new LinkedHashMap<>();
            conversations.forEach((id, log) -> all.put(id, List.copyOf(log.members)));
            return all;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<Appended> append(long conversationId, String sender, long clientMessageId, String text) {
        lock.lock();
        try {
            Log log = log(conversationId);
            var key = new MessageKey(sender, clientMessageId);
            if (clientMessageId != 0) {
                StoredMessage earlier = log.byClientId.get(key);
                if (earlier != null) {
                    return CompletableFuture.completedFuture(new Appended(earlier, true));
                }
            }
            var message = new StoredMessage(conversationId, ++log.lastSequence, clock.millis(), sender,
                    clientMessageId, text);
            log.messages.put(message.sequence(), message);
            if (clientMessageId != 0) {
                log.byClientId.put(key, message);
            }
            while (log.messages.size() > options.retainedMessages()) {
                StoredMessage trimmed = log.messages.pollFirstEntry().getValue();
                log.byClientId.remove(new MessageKey(trimmed.sender(), trimmed.clientMessageId()));
            }
            return CompletableFuture.completedFuture(new Appended(message, false));
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public HistoryPage history(long conversationId, long from, Direction direction, int limit) throws StoreException {
        int size = Math.clamp(limit, 0, options.maxPageSize());
        return locked(() -> {
            Log log = log(conversationId);
            long first = log.messages.isEmpty() ? log.lastSequence + 1 : log.messages.firstKey();
            List<StoredMessage> page = switch (direction) {
                case NEWER -> log.messages.tailMap(from, true).values().stream().limit(size).toList();
                case OLDER -> log.messages.headMap(from, true).descendingMap().values().stream().limit(size)
                        .toList().reversed();
            };
            return new HistoryPage(page, first, log.lastSequence);
        });
    }

    /** Nothing to release. */
    @Override
    public void close() {
    }

    /** Runs {@code body} holding the lock. */
    private <T> T locked(Locked<T> body) throws StoreException {
        lock.lock();
        try {
            return body.run();
        } finally {
            lock.unlock();
        }
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run() throws StoreException;
    }

    private Log log(long conversationId) throws StoreException {
        Log log = conversations.get(conversationId);
        if (log == null) {
            throw new StoreException("unknown conversation " + conversationId);
        }
        return log;
    }
}
